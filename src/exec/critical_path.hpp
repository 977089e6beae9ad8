#pragma once
// The critical path of a block: the chain of compute runs and messages that ends last (executor.hpp).
//
// Every point the executor reaches carries a Mark: its time and the path that led to it, split two ways, by kind
// of cost (Breakdown) and by the phase of the op that owns each span (PhaseTimes), both adding up to the time
// exactly. A path grows only through Mark::charge, one span at a time, at the two places where time passes on it:
//   a compute op   owns the time it queued for its CPU (the CPU ran work that is not on the path, and this op is
//                  what the path waited to run) and its roofline run (compute_span);
//   a message      owns everything its TransferTiming splits: queueing, overheads, latency, serialization
//                  (message_span); its collective's phase gets it.
// Where paths join (a unit waiting for several signals, a rank waiting for its messages, a step waiting for
// several deliveries) the mark that arrived last is carried on; the joins themselves cost nothing.
//
// The block ends at the latest mark any signal fired with (CriticalPath::reached). Which chain that is becomes
// known only then, so when a trace is recorded each mark also names the last step of its path (`via`) in a tree
// of steps that point to the step before them; at the end the chain is walked back from the block's end, its
// compute spans flagged critical and its messages added to the trace (only those: a GPT-4 token has millions).

#include <cstdint>
#include <vector>

#include "id_vector.hpp"
#include "shardsim/exec/run_stats.hpp"
#include "shardsim/exec/trace.hpp"
#include "shardsim/hw/roofline.hpp"
#include "shardsim/net/network_model.hpp"
#include "shardsim/plan/op_graph.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::exec {

// A step of a recorded critical path; `none` before the first (and whenever no trace is recorded).
enum class PathStepId : std::int32_t { none = -1 };

// A point in time together with the critical path that led to it: cp.total() == phases.total() == time, always.
struct Mark {
  Time time;
  Breakdown cp;
  PhaseTimes phases;
  PathStepId via = PathStepId::none;

  // The same path carried on to `end`, naming no step yet: charge() then says what the time in between was.
  Mark continued_to(Time end) const {
    Mark next = *this;  // a copy, rather than building a Mark field by field (which GCC zero-fills first)
    next.time = end;
    next.via = PathStepId::none;
    return next;
  }

  // Extends the path by `span`, all of it owned by an op of `phase`. The only way a mark's path grows, so the two
  // splits can never disagree.
  void charge(const Breakdown& span, plan::Phase phase) {
    cp += span;
    phases[phase] += span.total();
  }
};

// What a compute op adds to the path: the time it waited for its CPU since it was ready, and its run.
inline Breakdown compute_span(Time waited, const hw::ComputeCost& cost) {
  Breakdown span;
  span.waiting = waited;
  (cost.memory_bound() ? span.memory : span.compute) = cost.total() - cost.overhead;
  span.overhead = cost.overhead;
  return span;
}

// What a message adds to the path: everything it cost from its start to its delivery, its queueing included.
inline Breakdown message_span(const net::TransferTiming& timing) {
  Breakdown span;
  span.waiting = timing.waiting;
  span.overhead = timing.overhead;
  span.latency = timing.latency;
  span.serialization = timing.serialization;
  return span;
}

class CriticalPath {
 public:
  // A signal fired at `mark`: the block ends with the latest such mark (the last one fired, on equal times).
  void reached(const Mark& mark) {
    if (mark.time >= end_.time) end_ = mark;
  }
  const Mark& end() const { return end_; }

  // With a trace only: a compute run, span `span` of Trace::spans, that extends the path ending at `parent`.
  PathStepId add_compute(std::int32_t span, PathStepId parent);
  // With a trace only: a message that extends the path ending at `parent`, kept until the path is known.
  PathStepId add_message(const TraceSpan& message, PathStepId parent);
  // Flags the compute spans of the path that ends at end() critical, and appends its messages to `trace`.
  void record(Trace& trace) const;

 private:
  struct Step {
    bool message = false;
    std::int32_t index = 0;  // into Trace::spans (compute) or messages_ (message)
    PathStepId parent = PathStepId::none;
  };

  Mark end_;
  std::vector<TraceSpan> messages_;
  IdVector<PathStepId, Step> steps_;
};

}  // namespace shardsim::exec
