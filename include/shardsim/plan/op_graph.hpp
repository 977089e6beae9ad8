#pragma once
// What a plan asks the cluster to do for one token: compute ops placed on nodes and collectives among nodes,
// with dependencies. Ops are grouped in blocks; a block runs `repeat` times in a row and each repetition starts
// only when the previous one has completed entirely (a barrier), as layers do when each layer's input is
// gathered at one node before the next layer starts.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "shardsim/collective/collective.hpp"
#include "shardsim/hw/roofline.hpp"

namespace shardsim::plan {

using NodeId = std::int32_t;  // the topology's compute node index
using OpId = std::int32_t;    // index of an op within its block

struct ComputeOp {
  NodeId node = 0;
  hw::ComputeWork work;
};

struct CollectiveOp {
  collective::CollectiveSpec spec;
  std::vector<NodeId> members;  // members[rank] is the node playing that rank
  // How the ranks' software sends (a runtime's choice; the defaults are one thread, one send() per message): a rank
  // serves its peers (the other ranks, in rank order) from `io_threads` threads, peer i from thread i mod
  // io_threads, each thread one message at a time; a message goes out in send() calls of at most `send_chunk` bytes
  // (0: one call), each costing the sender's send_overhead.
  int io_threads = 1;
  Bytes send_chunk{0};

  // The thread of `src` that sends to `dst`: the other nodes are its peers in node order.
  int io_lane(NodeId src, NodeId dst) const {
    const int peer = dst < src ? dst : dst - 1;
    return io_threads > 1 ? peer % io_threads : 0;
  }
  // The send() calls a message of `bytes` takes.
  std::int32_t send_calls(Bytes bytes) const {
    if (send_chunk.count <= 0 || bytes.count <= send_chunk.count) return 1;
    return static_cast<std::int32_t>((bytes.count + send_chunk.count - 1) / send_chunk.count);
  }
};

// What part of a training step (or inference pass) an op belongs to, for the step's breakdown: the critical path's
// time is attributed to the phase of the op it runs through. Inference ops are all `forward`.
enum class Phase : std::uint8_t {
  forward,        // forward compute and the collectives that join it (tensor all-reduces, stage-to-stage sends)
  backward,       // gradient compute and its mirrored collectives
  gradient_sync,  // data-parallel gradient all-reduce / reduce-scatter, and ZeRO's parameter all-gathers
  optimizer,      // the optimizer update
};
inline constexpr int kPhaseCount = 4;

struct Op {
  std::string label;  // e.g. "expert0.expand", for traces and errors
  std::variant<ComputeOp, CollectiveOp> kind;
  std::vector<OpId> deps;  // ops of the same block that must complete first (smaller ids)
  Phase phase = Phase::forward;
};

struct Block {
  std::string name;
  std::int64_t repeat = 1;
  std::vector<Op> ops;
};

struct OpGraph {
  std::vector<Block> blocks;  // run in order, each `repeat` times
  // Per topology node, the fractions of its weights and of its KV cache that do not fit in its usable RAM and are
  // read from storage at every use (hw/roofline.hpp). Empty: everything fits.
  std::vector<hw::Streamed> streamed;
};

}  // namespace shardsim::plan
