#pragma once
// One collective of a block as it runs: a state machine over the steps of its expansion (collective::expand),
// driven by the executor with three events: a rank became ready, a step was delivered, a rank may have completed.
//
//   rank r ready     (its unit woke, dependency_index.hpp) every step r sends that waits for no delivery starts
//                    now; the network model serializes r's messages on its CPU, in schedule order;
//   step k delivered the steps that depended on k and now wait for nothing start, if their source is ready;
//   rank r complete  once r is ready and every step addressed to it has been delivered (once only); after the
//                    last rank, the collective is complete everywhere.
//
// Critical path (critical_path.hpp): a step's message extends its base, the latest of its source's ready mark and
// the deliveries it waits for (a schedule without dependencies: the source's ready mark); a rank completes with
// the later of its ready mark and its latest delivery (its ready mark on a tie).
//
// State: per rank, its sends, the deliveries to it still outstanding, its ready mark and latest delivery; per step,
// only when the schedule has dependencies, the deliveries it still waits for and the steps waiting for it, and,
// from the first delivery it waits for until its own delivery, its base mark (in a pool). Ranks and steps are the
// collective's own indices (0..p-1, schedule order). Memory is O(ranks + steps + dependencies) on top of the
// schedule, 8 bytes per step of it for the state, plus one Mark per step whose base is alive.

#include <cstdint>
#include <vector>

#include "critical_path.hpp"
#include "id_vector.hpp"
#include "shardsim/collective/collective.hpp"
#include "shardsim/collective/direct_steps.hpp"
#include "shardsim/plan/op_graph.hpp"
#include "shardsim/util/slot_pool.hpp"

namespace shardsim::exec {

class CollectiveRun {
 public:
  using StepIndex = std::uint32_t;  // a step of the schedule

  // Expands the collective; `collective` must outlive the run.
  CollectiveRun(plan::OpId op, const plan::CollectiveOp& collective);

  plan::OpId op() const { return op_; }
  std::int32_t ranks() const { return static_cast<std::int32_t>(ranks_.size()); }
  const collective::CollectiveSpec& spec() const { return collective_->spec; }
  // The node playing `rank`.
  plan::NodeId member(std::int32_t rank) const { return collective_->members[rank]; }
  // Its step k: computed for a direct collective (collective/direct_steps.hpp), which is never expanded.
  collective::Step step(StepIndex k) const { return direct_ ? collective::direct_step(spec(), k) : schedule_.steps[k]; }
  // Diagnostics (tests): the steps holding a base now, and the most that ever did (the pool's size).
  std::size_t bases_held() const { return marks_.size() - free_marks_.size(); }
  std::size_t bases_pooled() const { return marks_.size(); }
  // When the first rank became ready (for the trace's collective span); negative before.
  Time first_ready() const { return first_ready_; }

  // `rank` is ready at `mark`: calls send(StepIndex) for each of its steps that waits for no more deliveries.
  template <class Send>
  void rank_ready(std::int32_t rank, const Mark& mark, Send&& send) {
    RankState& r = ranks_[rank];
    r.ready = true;
    r.ready_mark = mark;
    if (first_ready_.ps < 0 || mark.time < first_ready_) first_ready_ = mark.time;
    if (direct_) {
      const collective::IndexRange sends = collective::direct_sends(spec(), rank);
      for (std::int32_t i = 0; i < sends.count; ++i) send(static_cast<StepIndex>(sends.first + i));
      return;
    }
    for (const StepIndex k : sends_[rank]) {
      if (steps_.empty()) {
        send(k);
      } else if (steps_[k].waiting == 0) {
        // Its deliveries came no later than now (events run in time order); on a tie the rank's mark wins.
        mark_of(k) = mark;
        send(k);
      }
    }
  }

  // The mark step k's message extends.
  const Mark& base(StepIndex k) const {
    return steps_.empty() ? ranks_[step(k).src].ready_mark : marks_[steps_[k].mark];
  }

  // Step k was delivered with `mark` (its base charged with the message): calls send(StepIndex) for each step that
  // now waits for nothing and whose source is ready.
  template <class Send>
  void delivered(StepIndex k, const Mark& mark, Send&& send) {
    RankState& dst = ranks_[step(k).dst];
    if (mark.time >= dst.last_in.time) dst.last_in = mark;
    --dst.incoming;
    if (steps_.empty()) return;
    release_mark(k);  // k's base is read (base(k)) before its delivery, never after
    for (const StepIndex next_k : dependents_[k]) {
      Mark& next_mark = mark_of(next_k);
      if (mark.time >= next_mark.time) next_mark = mark;
      const RankState& src = ranks_[schedule_.steps[next_k].src];
      if (--steps_[next_k].waiting == 0 && src.ready) {
        if (src.ready_mark.time > next_mark.time) next_mark = src.ready_mark;
        send(next_k);
      }
    }
  }

  // Whether `rank` completes now: it is ready, everything addressed to it has been delivered, and it did not
  // complete before. Asked after every delivery, so it is cheap.
  bool completes(std::int32_t rank) const {
    const RankState& r = ranks_[rank];
    return r.ready && r.incoming == 0;
  }
  // After completes(rank): records the completion and returns the mark the rank completes with. The caller signals
  // it, then counts it with count_completed().
  Mark complete(std::int32_t rank) {
    RankState& r = ranks_[rank];
    r.incoming = -1;  // completed: never again
    return r.last_in.time > r.ready_mark.time ? r.last_in : r.ready_mark;
  }
  // Counts one more completed rank; true for the last, when the collective is complete everywhere.
  bool count_completed() { return ++completed_ == ranks(); }

 private:
  // A delivery reads incoming and last_in: they come first, together.
  struct RankState {
    std::int32_t incoming = 0;  // deliveries to it still outstanding; -1 once it completed
    bool ready = false;
    Mark last_in;  // its latest delivery
    Mark ready_mark;
  };
  // A step's base lives only from the first delivery it waits for (or its sending, if it waits for none) to its own
  // delivery, so it is kept in a pool of marks rather than in every step: a ring over 4096 ranks has 16.8 M steps
  // but only a few thousand bases alive at once, and a Mark is ~100 bytes.
  static constexpr std::uint32_t kNoMark = ~std::uint32_t{0};
  struct StepState {
    std::uint32_t waiting = 0;     // deliveries it still waits for
    std::uint32_t mark = kNoMark;  // its base in marks_, while it has one
  };

  // Step k's base, taken from the pool (Mark{}) the first time it is asked for. A reference into the pool: valid
  // until the next mark_of().
  Mark& mark_of(StepIndex k) {
    std::uint32_t& slot = steps_[k].mark;
    if (slot == kNoMark) {
      slot = acquire_slot(marks_, free_marks_);
      marks_[slot] = Mark{};
    }
    return marks_[slot];
  }
  void release_mark(StepIndex k) {
    std::uint32_t& slot = steps_[k].mark;
    if (slot == kNoMark) return;
    free_marks_.push_back(slot);
    slot = kNoMark;
  }

  void index_sends();
  void index_dependents();

  plan::OpId op_;
  const plan::CollectiveOp* collective_;
  bool direct_;                    // a direct collective: steps computed, no schedule, no sends_
  collective::Schedule schedule_;  // its steps (the dependency lists are dropped once indexed)
  IdVector<std::int32_t, RankState> ranks_;
  Grouped<std::int32_t, StepIndex> sends_;    // per rank, the steps it sends, in schedule order
  IdVector<StepIndex, StepState> steps_;      // empty when the schedule has no dependencies
  Grouped<StepIndex, StepIndex> dependents_;  // per step, the steps that wait for it, in schedule order
  std::vector<Mark> marks_;                   // the bases of steps between their first dependency and delivery
  std::vector<std::uint32_t> free_marks_;
  Time first_ready_{-1};
  std::int32_t completed_ = 0;
};

}  // namespace shardsim::exec
