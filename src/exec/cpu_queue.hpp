#pragma once
// One node's CPU as the executor schedules compute ops on it: one op runs at a time, and the ops that become ready
// meanwhile wait in first-in, first-out order of readiness (ties in the order their signals woke them,
// dependency_index.hpp). Messages do not take this CPU: the network model keeps its own per-message queues for a
// node's send and receive overheads (net/), so a node computes and communicates at once.
//
// The queue holds each op with the mark it became ready with (critical_path.hpp), so that the op can own its wait:
// the CPU ran other work meanwhile, and this op is what the path waited to run. Push and pop are O(1); the storage
// is reused whenever the queue empties (at worst it holds every compute op the block places on the node).

#include <cstddef>
#include <optional>
#include <vector>

#include "critical_path.hpp"
#include "shardsim/plan/op_graph.hpp"

namespace shardsim::exec {

struct QueuedOp {
  plan::OpId op = 0;
  Mark ready;
};

class CpuQueue {
 public:
  // Queues an op that became ready. True when the CPU is idle: then the caller starts it with next().
  bool push(const QueuedOp& queued) {
    queue_.push_back(queued);
    return !busy_;
  }

  // The op to run now, which keeps the CPU busy until the caller calls next() again; nothing, and the CPU idles,
  // when no op is waiting.
  std::optional<QueuedOp> next() {
    if (head_ == queue_.size()) {
      queue_.clear();
      head_ = 0;
      busy_ = false;
      return std::nullopt;
    }
    busy_ = true;
    return queue_[head_++];
  }

  // The mark the running op will finish with, kept from its start to its completion event.
  void set_running(const Mark& done) { running_ = done; }
  const Mark& running() const { return running_; }

 private:
  std::vector<QueuedOp> queue_;  // [head_, end) wait; [0, head_) have run since the queue last emptied
  std::size_t head_ = 0;
  bool busy_ = false;
  Mark running_;
};

}  // namespace shardsim::exec
