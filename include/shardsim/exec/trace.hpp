#pragma once
// A timeline of one simulated token, for viewers of the Chrome trace event format (Perfetto, chrome://tracing):
// when each node computed which op, when each link direction carried bytes, when each collective ran, and which
// ops and messages form the critical path. Each block is recorded once (its first repetition; the others are
// identical, see executor.hpp) and blocks follow each other on the time axis. Times are picoseconds.

#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/util/units.hpp"

namespace shardsim::exec {

struct TraceSpan {
  enum class Kind : std::uint8_t {
    compute,     // track: node
    link,        // track: directed link; a message occupying it (FIFO) or flowing over it (fair)
    collective,  // track: the collective's op index; from its first rank starting to its completion everywhere
    transfer,    // track: source node, peer: destination node; only those on the critical path are recorded
  };
  Kind kind = Kind::compute;
  std::int32_t track = 0;
  std::int32_t block = 0;  // index of the block in the op graph
  std::int32_t op = 0;     // op index within the block
  std::int32_t peer = -1;
  Time begin;
  Time end;
  bool critical = false;
};

struct Trace {
  // Link spans beyond this many are counted in dropped_link_spans instead of stored (a GPT-4 token has millions).
  std::size_t max_link_spans = 1'000'000;
  std::vector<TraceSpan> spans;
  std::uint64_t dropped_link_spans = 0;
  std::vector<std::string> block_names;              // per block, with its repeat count
  std::vector<std::vector<std::string>> op_labels;   // per block, per op
};

}  // namespace shardsim::exec
