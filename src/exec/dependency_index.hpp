#pragma once
// Who waits for what inside one block (executor.hpp says why the rules are these).
//
// A signal is "this op's result is available here": a compute op has one (its result, on its node); a collective
// of p ranks has p + 1, one per rank ("complete on that member") and one for "complete everywhere". A unit is
// something that waits for signals before it can start: a compute op, or one rank of a collective (which then
// starts sending). An op's signals are consecutive, and so are its units: rank r's are first + r.
//
// Which signal of a dependency `dep` a unit on node n waits for:
//   dep is a compute op     its one signal; except that a collective rank ignores a compute op placed on another
//                           member (that op gates the other member's sends, not this rank's);
//   dep is a collective     its signal for n's rank when n is a member, else its "complete everywhere".
//
// Built once from a plan::Block, in O(ops + ranks + dependencies) time and memory (plus, while building, one
// node-to-rank table per collective), then counted down as signals fire. fire() wakes every unit whose last
// awaited signal it was, in the order the waits were declared (ops in order, a collective's ranks in order, each
// op's deps in order): that order decides which op a CPU queues first, so it is part of what makes a run
// deterministic.

#include <cstdint>
#include <vector>

#include "id_vector.hpp"
#include "shardsim/plan/op_graph.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::exec {

enum class SignalId : std::int32_t {};
enum class UnitId : std::int32_t {};
// A collective of the block, numbered in op order.
enum class CollectiveId : std::int32_t { none = -1 };

struct Unit {
  plan::OpId op = 0;
  CollectiveId collective = CollectiveId::none;  // none: the unit is a compute op
  std::int32_t rank = 0;                         // the rank it plays in its collective
  std::int32_t waiting = 0;                      // signals it still waits for
};

struct Signal {
  bool fired = false;
};

class DependencyIndex {
 public:
  // Checks what the plan promised (dependencies on earlier ops, one member per rank, ops on existing nodes) and
  // throws InternalError otherwise.
  DependencyIndex(const plan::Block& block, int node_count);

  // The block's collective ops, by CollectiveId.
  const IdVector<CollectiveId, plan::OpId>& collectives() const { return collectives_; }
  const Unit& unit(UnitId id) const { return units_[id]; }

  // A compute op's signal.
  SignalId done(plan::OpId op) const { return ops_[op].first_signal; }
  // A collective's signal "complete on the member playing `rank`".
  SignalId complete_on(plan::OpId op, std::int32_t rank) const { return offset(ops_[op].first_signal, rank); }
  // A collective's signal "complete everywhere".
  SignalId complete_everywhere(plan::OpId op) const { return offset(ops_[op].first_signal, ops_[op].ranks); }

  // The units that wait for nothing, in unit order.
  std::vector<UnitId> ready_units() const;

  // Fires `id` and calls wake(UnitId) for each unit that waited for it last. A signal fires once.
  template <class Wake>
  void fire(SignalId id, Wake&& wake) {
    Signal& signal = signals_[id];
    require(!signal.fired, "executor: signal fired twice");
    signal.fired = true;
    ++fired_;
    for (const UnitId waiter : waiters_[id]) {
      if (--units_[waiter].waiting == 0) wake(waiter);
    }
  }

  // Whether every signal has fired: every op completed, every collective on every member.
  bool all_fired() const { return fired_ == signals_.size(); }

 private:
  // Where an op's units and signals begin.
  struct OpEntry {
    UnitId first_unit{};
    SignalId first_signal{};
    CollectiveId collective = CollectiveId::none;  // none: a compute op
    std::int32_t ranks = 0;                        // 0 for a compute op
  };
  struct Wait {
    SignalId signal;
    UnitId unit;
  };

  // Per collective, per node: the rank the node plays, or -1 when it is not a member.
  using RankOf = IdVector<CollectiveId, std::vector<std::int32_t>>;

  RankOf add_ops(const plan::Block& block, int node_count);
  std::vector<Wait> waits(const plan::Block& block, const RankOf& rank_of) const;
  void add_waits(const std::vector<Wait>& waits);

  IdVector<plan::OpId, OpEntry> ops_;
  IdVector<UnitId, Unit> units_;
  IdVector<SignalId, Signal> signals_;
  IdVector<CollectiveId, plan::OpId> collectives_;
  Grouped<SignalId, UnitId> waiters_;  // per signal, the units that wait for it
  std::size_t fired_ = 0;
};

}  // namespace shardsim::exec
