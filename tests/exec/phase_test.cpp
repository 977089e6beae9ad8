#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "printing.hpp"
#include "round_star.hpp"

#include "shardsim/exec/executor.hpp"
#include "shardsim/plan/seed_plan.hpp"

using namespace shardsim;
using plan::Phase;

// The critical path split by the phase of the op that owns each span of it (run_stats.hpp, executor.hpp), on the
// round star of tests/support/round_star.hpp: 1 FLOP/ns, 1 B/ns memory, 1 us per op, 10 us per message at each end,
// 8 ns per wire byte, 1 us per link, 2 us through the switch.
namespace {

// FIFO links; 1000 B of payload per frame, 100 B of header per frame (as in executor_test.cpp).
const net::NetworkOptions kFraming{net::NetworkModelKind::fifo, Bytes{1000}, Bytes{100}};

plan::Op compute(std::string label, plan::NodeId node, std::int64_t flops, std::int64_t read,
                     std::int64_t written, Phase phase, std::vector<plan::OpId> deps = {}) {
  plan::ComputeOp c;
  c.node = node;
  c.work.flops = Flop{flops};
  c.work.bytes_read = Bytes{read};
  c.work.bytes_written = Bytes{written};
  return plan::Op{std::move(label), c, std::move(deps), phase};
}

// forward -> backward -> optimizer on `node`:
//   forward:   2000 FLOP = 2 us; 500 B = 0.5 us: compute-bound, 2 + 1 = 3 us
//   backward:  1000 FLOP = 1 us; 3000 + 1000 B = 4 us: memory-bound, 4 + 1 = 5 us
//   optimizer:  600 FLOP = 0.6 us; 2000 + 1000 B = 3 us: memory-bound, 3 + 1 = 4 us
plan::Block chain(plan::NodeId node) {
  plan::Block b{"update", 1, {}};
  b.ops.push_back(compute("forward", node, 2000, 500, 0, Phase::forward));
  b.ops.push_back(compute("backward", node, 1000, 3000, 1000, Phase::backward, {0}));
  b.ops.push_back(compute("optimizer", node, 600, 2000, 1000, Phase::optimizer, {1}));
  return b;
}

// A direct all-reduce of 16 B per rank between nodes 0 and 1, tagged gradient_sync, after op `dep` on node 0. Rank
// 1's only dependency is on node 0, another member, so it does not gate rank 1 (executor.hpp): rank 1 sends at once.
plan::Op gradient_all_reduce(plan::OpId dep) {
  plan::CollectiveOp sync;
  sync.spec.kind = collective::CollectiveKind::all_reduce;
  sync.spec.algorithm = collective::Algorithm::direct;
  sync.spec.pieces = {Bytes{16}, Bytes{16}};
  sync.members = {0, 1};
  return plan::Op{"grad.all_reduce", sync, {dep}, Phase::gradient_sync};
}

// A backward op on node 0 (19000 FLOP = 19 us, compute-bound, + 1 us = 20 us), then gradient_all_reduce(). One
// message of 16 B -> one frame of 116 B -> 0.928 us per link; uncongested it takes 10 + 0.928 + 1 + 2 + 0.928 + 1 +
// 10 = 25.856 us. Each node has a send CPU and a receive CPU (fifo_network.hpp), so nothing queues here:
//   0.000  backward runs 0 .. 20; node1 sends its vector, delivered at node0 at 25.856
//  20.000  rank 0 is ready and sends: delivered at node1 at 20 + 25.856 = 45.856, the all-reduce is complete.
// Critical path: backward (20) <- node0's message (20 overhead + 4 latency + 1.856 wire = 25.856).
plan::Block gradient_step() {
  plan::Block b{"step", 1, {}};
  b.ops.push_back(compute("backward", 0, 19000, 1000, 0, Phase::backward));
  b.ops.push_back(gradient_all_reduce(0));
  return b;
}

exec::RunStats run(const topo::Topology& t, std::vector<plan::Block> blocks) {
  plan::OpGraph graph;
  graph.blocks = std::move(blocks);
  return exec::execute(t, graph, kFraming);
}

}  // namespace

TEST_CASE("a forward backward optimizer chain: each phase is its op's roofline time") {
  const topo::Topology t = testing::round_star(1);
  const exec::RunStats s = run(t, {chain(0)});
  CHECK(s.token_latency == Time::from_us(3 + 5 + 4));
  CHECK(s.phases[Phase::forward] == Time::from_us(3));
  CHECK(s.phases[Phase::backward] == Time::from_us(5));
  CHECK(s.phases[Phase::gradient_sync] == Time{});
  CHECK(s.phases[Phase::optimizer] == Time::from_us(4));
  CHECK(s.phases.total() == s.token_latency);
  // The kinds of the same path: 2 us compute (forward), 4 + 3 us memory, 3 us per-op overhead.
  CHECK(s.critical_path.compute == Time::from_us(2));
  CHECK(s.critical_path.memory == Time::from_us(7));
  CHECK(s.critical_path.overhead == Time::from_us(3));
  REQUIRE(s.blocks.size() == 1);
  CHECK(s.blocks[0].phases.by_phase == s.phases.by_phase);
}

TEST_CASE("an op queued behind another for its CPU owns the wait") {
  // Two independent ops on one node, ready at 0: forward (3 us) runs first, optimizer (4 us) waits 3 us for the
  // CPU and runs 3 .. 7. The path ends with the optimizer op, whose wait is its own: optimizer 7 us, forward none.
  const topo::Topology t = testing::round_star(1);
  plan::Block b{"independent", 1, {}};
  b.ops.push_back(compute("forward", 0, 2000, 500, 0, Phase::forward));
  b.ops.push_back(compute("optimizer", 0, 600, 2000, 1000, Phase::optimizer));
  const exec::RunStats s = run(t, {b});
  CHECK(s.token_latency == Time::from_us(7));
  CHECK(s.critical_path.waiting == Time::from_us(3));
  CHECK(s.phases[Phase::optimizer] == Time::from_us(7));
  CHECK(s.phases[Phase::forward] == Time{});
  CHECK(s.phases.total() == s.token_latency);
}

TEST_CASE("a gradient all-reduce after a backward op: gradient_sync is the collective's whole time on the path") {
  // Derivation at gradient_step(): 20 us of backward, then 25.856 us of all-reduce.
  const topo::Topology t = testing::round_star(2);
  const exec::RunStats s = run(t, {gradient_step()});
  CHECK(s.token_latency == Time::from_ns(45856));
  CHECK(s.phases[Phase::forward] == Time{});
  CHECK(s.phases[Phase::backward] == Time::from_us(20));
  CHECK(s.phases[Phase::gradient_sync] == Time::from_ns(25856));
  CHECK(s.phases[Phase::optimizer] == Time{});
  CHECK(s.phases.total() == s.token_latency);
  const exec::Breakdown& cp = s.critical_path;
  CHECK(cp.compute == Time::from_us(19));
  CHECK(cp.overhead == Time::from_us(1 + 20));
  CHECK(cp.waiting == Time{});
  CHECK(cp.latency == Time::from_us(4));
  CHECK(cp.serialization == Time::from_ns(928 + 928));
  CHECK(s.transfers == 2);
}

TEST_CASE("a gradient message queued behind a forward message: the queueing is gradient_sync time") {
  // Op 0: a forward broadcast of 1000 B from node0 to node1 (1100 B on the wire: 8.8 us per link), ready at 0.
  // Op 1: backward on node0, 2000 FLOP: 2 + 1 = 3 us. Op 2: gradient_all_reduce() after op 1.
  //   0.000  broadcast: node0 sends 0 .. 10, node0->switch 10 .. 18.8, +3 = 21.8, switch->node1 21.8 .. 30.6, +1 =
  //          31.6, node1 receives 31.6 .. 41.6. Node1's gradient message reaches node0 at 25.856 (uncongested).
  //   3.000  rank 0 of the all-reduce is ready; its message waits for node0's send CPU until 10 (7 waiting), sends
  //          10 .. 20, node0->switch 20 .. 20.928, +3 = 23.928; the switch->node1 link is busy with the broadcast
  //          until 30.6 (6.672 waiting): 30.6 .. 31.528, +1 = 32.528; node1's receive CPU is busy until 41.6 (9.072
  //          waiting): 41.6 .. 51.6.
  //  51.600  the all-reduce is complete; the broadcast was complete at 41.6.
  // Critical path: backward (3) <- the gradient message (7 + 6.672 + 9.072 = 22.744 waiting, 20 overhead, 4 latency,
  // 1.856 wire = 48.6). The forward broadcast it queued behind is off the path: forward gets nothing.
  const topo::Topology t = testing::round_star(2);
  plan::Block b{"overlap", 1, {}};
  plan::CollectiveOp activations;
  activations.spec.kind = collective::CollectiveKind::broadcast;
  activations.spec.algorithm = collective::Algorithm::direct;
  activations.spec.pieces = {Bytes{1000}, Bytes{1000}};
  activations.members = {0, 1};
  b.ops.push_back(plan::Op{"activations.broadcast", activations, {}, Phase::forward});
  b.ops.push_back(compute("backward", 0, 2000, 500, 0, Phase::backward));
  b.ops.push_back(gradient_all_reduce(1));
  const exec::RunStats s = run(t, {b});
  CHECK(s.token_latency == Time::from_ns(51600));
  CHECK(s.phases[Phase::forward] == Time{});
  CHECK(s.phases[Phase::backward] == Time::from_us(3));
  CHECK(s.phases[Phase::gradient_sync] == Time::from_ns(48600));
  CHECK(s.phases[Phase::optimizer] == Time{});
  CHECK(s.phases.total() == s.token_latency);
  CHECK(s.critical_path.waiting == Time::from_ns(22744));
  CHECK(s.critical_path.total() == s.token_latency);
}

TEST_CASE("phases of a repeated block are multiplied like its time and add up to the run") {
  // Block "step" (x3): backward 20, gradient_sync 25.856 per repetition (gradient_step()); block "update" (x1): the
  // chain on node 1 (forward 3, backward 5, optimizer 4). Whole run: forward 3, backward 3 * 20 + 5 = 65,
  // gradient_sync 3 * 25.856 = 77.568, optimizer 4; 3 * 45.856 + 12 = 149.568 us.
  const topo::Topology t = testing::round_star(2);
  plan::Block step = gradient_step();
  step.repeat = 3;
  const exec::RunStats s = run(t, {step, chain(1)});
  CHECK(s.token_latency == Time::from_ns(149568));
  REQUIRE(s.blocks.size() == 2);
  CHECK(s.blocks[0].phases[Phase::backward] == Time::from_us(20));
  CHECK(s.blocks[0].phases[Phase::gradient_sync] == Time::from_ns(25856));
  CHECK(s.blocks[0].phases.total() == s.blocks[0].duration);
  CHECK(s.blocks[1].phases[Phase::forward] == Time::from_us(3));
  CHECK(s.blocks[1].phases.total() == s.blocks[1].duration);
  CHECK(s.phases[Phase::forward] == Time::from_us(3));
  CHECK(s.phases[Phase::backward] == Time::from_us(65));
  CHECK(s.phases[Phase::gradient_sync] == Time::from_ns(77568));
  CHECK(s.phases[Phase::optimizer] == Time::from_us(4));
  CHECK(s.phases.total() == s.token_latency);
}

TEST_CASE("inference: the seed plan is all forward, so forward is the token latency") {
  // executor_test.cpp derives one layer of d_model 8, d_ff 16, batch 1 on 2 nodes: 62.872 us; 3 layers repeat it.
  workload::ModelSpec m;
  m.d_model = 8;
  m.d_ff = 16;
  m.dtype = workload::Dtype::fp16;
  m.layers = 3;
  plan::PlanSpec spec;
  spec.nodes = 2;
  const plan::PlannedWorkload w = plan::build_seed_plan(m, 1, spec);
  for (const plan::Block& b : w.graph.blocks) {
    for (const plan::Op& o : b.ops) REQUIRE(o.phase == Phase::forward);
  }
  const topo::Topology t = testing::round_star(2);
  const exec::RunStats s = exec::execute(t, w.graph, kFraming);
  CHECK(s.token_latency == Time::from_ns(3 * 62872));
  CHECK(s.phases[Phase::forward] == s.token_latency);
  CHECK(s.phases.total() == s.token_latency);
  for (const exec::BlockStats& b : s.blocks) CHECK(b.phases[Phase::forward] == b.duration);
}
