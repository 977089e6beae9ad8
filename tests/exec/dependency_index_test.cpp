// DependencyIndex (src/exec/dependency_index.hpp): which signal of each dependency every unit waits for, and the
// order in which firing a signal wakes its units.

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "dependency_index.hpp"
#include "shardsim/util/error.hpp"

using namespace shardsim;
using exec::DependencyIndex;
using exec::SignalId;
using exec::UnitId;

namespace {

plan::Op compute(plan::NodeId node, std::vector<plan::OpId> deps = {}) {
  plan::ComputeOp c;
  c.node = node;
  return plan::Op{"compute", c, std::move(deps), plan::Phase::forward};
}

plan::Op all_gather(std::vector<plan::NodeId> members, std::vector<plan::OpId> deps) {
  plan::CollectiveOp c;
  c.spec.kind = collective::CollectiveKind::all_gather;
  c.spec.pieces.assign(members.size(), Bytes{8});
  c.members = std::move(members);
  return plan::Op{"all_gather", c, std::move(deps), plan::Phase::forward};
}

// On 3 nodes:
//   op 0  compute on node 0                                  unit 0      signal 0
//   op 1  all-gather among nodes 0 and 1, after op 0         units 1, 2  signals 1 (on 0), 2 (on 1), 3 (everywhere)
//   op 2  compute on node 1, after op 1                      unit 3      signal 4
//   op 3  compute on node 2, after op 1                      unit 4      signal 5
//   op 4  compute on node 0, after ops 0 and 1               unit 5      signal 6
plan::Block block() {
  plan::Block b{"block", 1, {}};
  b.ops.push_back(compute(0));
  b.ops.push_back(all_gather({0, 1}, {0}));
  b.ops.push_back(compute(1, {1}));
  b.ops.push_back(compute(2, {1}));
  b.ops.push_back(compute(0, {0, 1}));
  return b;
}

// Fires `signal` and returns the units it woke, in order.
std::vector<UnitId> fire(DependencyIndex& index, SignalId signal) {
  std::vector<UnitId> woken;
  index.fire(signal, [&](UnitId unit) { woken.push_back(unit); });
  return woken;
}

}  // namespace

TEST_CASE("an op's units and signals are consecutive, a collective's rank r at first + r") {
  const plan::Block b = block();
  const DependencyIndex index(b, 3);
  REQUIRE(index.collectives().size() == 1);
  CHECK(index.collectives()[exec::CollectiveId{0}] == 1);
  CHECK(index.done(0) == SignalId{0});
  CHECK(index.complete_on(1, 0) == SignalId{1});
  CHECK(index.complete_on(1, 1) == SignalId{2});
  CHECK(index.complete_everywhere(1) == SignalId{3});
  CHECK(index.done(2) == SignalId{4});
  CHECK(index.done(4) == SignalId{6});
  const exec::Unit& rank1 = index.unit(UnitId{2});
  CHECK(rank1.op == 1);
  CHECK(rank1.collective == exec::CollectiveId{0});
  CHECK(rank1.rank == 1);
  CHECK(index.unit(UnitId{3}).collective == exec::CollectiveId::none);
}

TEST_CASE("each unit waits for the signal of its dependency on its own node") {
  const plan::Block b = block();
  DependencyIndex index(b, 3);
  // Op 0 waits for nothing; rank 1 of the all-gather neither: its dependency is a compute op on node 0, another
  // member, which gates only rank 0's sends.
  CHECK(index.ready_units() == std::vector<UnitId>{UnitId{0}, UnitId{2}});
  CHECK(index.unit(UnitId{1}).waiting == 1);
  // Op 0 done: rank 0 may send; op 4 still waits for the all-gather on node 0.
  CHECK(fire(index, index.done(0)) == std::vector<UnitId>{UnitId{1}});
  CHECK(index.unit(UnitId{5}).waiting == 1);
  // The all-gather complete on node 0 (rank 0) wakes op 4 only; on node 1 (rank 1), op 2 only.
  CHECK(fire(index, index.complete_on(1, 0)) == std::vector<UnitId>{UnitId{5}});
  CHECK(fire(index, index.complete_on(1, 1)) == std::vector<UnitId>{UnitId{3}});
  // Node 2 is not a member: op 3 waits for the all-gather to be complete everywhere.
  CHECK(index.unit(UnitId{4}).waiting == 1);
  CHECK(fire(index, index.complete_everywhere(1)) == std::vector<UnitId>{UnitId{4}});
  CHECK_FALSE(index.all_fired());
  for (plan::OpId op : {2, 3, 4}) CHECK(fire(index, index.done(op)).empty());
  CHECK(index.all_fired());
}

TEST_CASE("a signal wakes its units in the order their waits were declared") {
  // Ops 1, 2, 3 on three nodes all wait for op 0 alone; op 4 waits for ops 1 and 0, so op 0 is not its last.
  plan::Block b{"fan-out", 1, {}};
  b.ops.push_back(compute(0));
  b.ops.push_back(compute(2, {0}));
  b.ops.push_back(compute(1, {0}));
  b.ops.push_back(compute(0, {0}));
  b.ops.push_back(compute(1, {1, 0}));
  DependencyIndex index(b, 3);
  CHECK(fire(index, index.done(0)) == std::vector<UnitId>{UnitId{1}, UnitId{2}, UnitId{3}});
  CHECK(fire(index, index.done(1)) == std::vector<UnitId>{UnitId{4}});
}

TEST_CASE("the index rejects what a plan must never build") {
  plan::Block later{"later", 1, {}};
  later.ops.push_back(compute(0, {1}));
  later.ops.push_back(compute(0));
  CHECK_THROWS_AS(DependencyIndex(later, 1), InternalError);

  plan::Block missing_node{"missing", 1, {}};
  missing_node.ops.push_back(compute(3));
  CHECK_THROWS_AS(DependencyIndex(missing_node, 3), InternalError);

  plan::Block members{"members", 1, {}};
  members.ops.push_back(all_gather({0, 1}, {}));
  std::get<plan::CollectiveOp>(members.ops[0].kind).members.push_back(2);  // three members, two ranks
  CHECK_THROWS_AS(DependencyIndex(members, 3), InternalError);

  plan::Block b = block();
  DependencyIndex index(b, 3);
  fire(index, index.done(0));
  CHECK_THROWS_AS(fire(index, index.done(0)), InternalError);
}
