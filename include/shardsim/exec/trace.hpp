#pragma once
// A timeline of simulated runs, for viewers of the Chrome trace event format (Perfetto, chrome://tracing): when
// each node computed which op, when each link direction carried which message (its payload bytes, source and
// destination), when each collective ran, and which ops and messages form the critical path. Each block is
// recorded once (its first repetition; the others are identical, see executor.hpp) unless all_repeats, and blocks
// follow each other on the time axis; runs recorded into one Trace (a generation's prefill and decode steps)
// follow each other too, from `end`. Times are picoseconds.

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
  std::int32_t peer = -1;  // link and transfer: the message's destination node
  Time begin;
  Time end;
  bool critical = false;
  std::int32_t source = -1;     // link: the message's source node (a transfer's is its track)
  Bytes bytes{};                // link and transfer: the message's payload
  std::int64_t repetition = 0;  // which repetition of its block (0 unless Trace::all_repeats)
};

struct Trace {
  // Link spans beyond this many are counted in dropped_link_spans instead of stored (a GPT-4 token has millions).
  std::size_t max_link_spans = 1'000'000;
  std::vector<TraceSpan> spans;
  std::uint64_t dropped_link_spans = 0;
  // Every repetition of a repeated block, one after another (`--trace-repeat all`), instead of the first only.
  bool all_repeats = false;
  // Put before the names of the blocks of the next run recorded ("prefill", "token 3"); "" for none.
  std::string run_label;
  Time end;  // where the next run recorded starts on the time axis: the end of the last one
  std::vector<std::string> block_names;              // per block of every run recorded, with its repeat count
  std::vector<std::vector<std::string>> op_labels;   // per block, per op
};

}  // namespace shardsim::exec
