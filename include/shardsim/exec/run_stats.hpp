#pragma once
// What one simulated token (one decode step, or one training step) cost: its latency, where the critical path's
// time went (by kind of cost and by phase of the ops it ran through), and the traffic it caused, per node, per
// link direction and in total. Every counter covers the whole token (all repetitions of every block); times are
// picoseconds, sizes bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/util/units.hpp"
#include "shardsim/plan/op_graph.hpp"

namespace shardsim::exec {

// Where the time along a critical path went. The parts add up to the path's length exactly.
struct Breakdown {
  Time compute;        // compute ops bound by arithmetic
  Time memory;         // compute ops bound by memory bandwidth
  Time overhead;       // per-op and per-message software overhead
  Time latency;        // link propagation and switch forwarding
  Time serialization;  // wire bytes on links
  Time waiting;        // queued behind other work for a CPU or a link

  Time total() const { return compute + memory + overhead + latency + serialization + waiting; }
  Breakdown& operator+=(const Breakdown& o);
  Breakdown scaled(std::int64_t k) const;
};

// The same critical path split by the phase (plan::Phase) of the op responsible for each span of it: a
// compute op owns its run time and the time it queued for its CPU; a collective owns its messages' overheads,
// latency, serialization and queueing. Every span has exactly one owner, so the phases add up to the path's
// length exactly, like the Breakdown's kinds: a training step's forward + backward + gradient sync + optimizer is
// its step time. Phases that overlap off the critical path (a gradient all-reduce hidden behind backward compute)
// cost nothing here, which is the point.
struct PhaseTimes {
  std::array<Time, plan::kPhaseCount> by_phase{};  // indexed by plan::Phase

  Time& operator[](plan::Phase p) { return by_phase[static_cast<std::size_t>(p)]; }
  Time operator[](plan::Phase p) const { return by_phase[static_cast<std::size_t>(p)]; }
  Time total() const;
  PhaseTimes& operator+=(const PhaseTimes& o);
  PhaseTimes scaled(std::int64_t k) const;
};

struct NodeStats {
  Bytes payload_sent;       // network payload this node sent
  Bytes payload_received;   // network payload this node received
  Bytes payload_delivered;  // collective results held by this node, its own pieces included
  Bytes memory_read;        // bytes its compute ops read from RAM
  Bytes memory_written;     // bytes its compute ops wrote to RAM
  Bytes storage_read;       // weight and KV cache bytes its compute ops read from storage (beyond RAM)
  Flop flops;
  Time compute_busy;        // time its compute ops ran
};

struct LinkStats {
  Bytes wire_bytes;  // bytes on the wire in this direction, framing included
  Time busy;         // time spent serializing
};

struct BlockStats {
  std::string name;
  std::int64_t repeat = 1;
  Time duration;          // of one repetition
  Breakdown critical_path;  // of one repetition
  PhaseTimes phases;        // the same critical path by op phase, of one repetition
};

struct RunStats {
  Time token_latency;       // one token, all blocks and repetitions
  Breakdown critical_path;  // of the whole token
  PhaseTimes phases;        // the same critical path by op phase, of the whole token (repetitions multiplied)
  std::vector<BlockStats> blocks;
  std::vector<NodeStats> nodes;  // indexed by topology NodeId
  std::vector<LinkStats> links;  // indexed by topology DirLinkId
  std::uint64_t transfers = 0;   // point-to-point messages
  std::uint64_t events = 0;      // engine events processed (repetitions of a block are simulated once)
};

}  // namespace shardsim::exec
