// run_size_bound (executor.hpp): what a run may hold, counted from the op graph before it runs.

#include <catch2/catch.hpp>

#include "round_star.hpp"
#include "shardsim/exec/executor.hpp"
#include "shardsim/exec/run_size_bound.hpp"
#include "shardsim/net/message_bytes.hpp"
#include "shardsim/plan/seed_plan.hpp"

using namespace shardsim;

TEST_CASE("run_size_bound: the seed layer's ops and messages, counted by hand and against the run") {
  // d_model 512, d_ff 2048 on 4 nodes, direct collectives (the default): a broadcast of x, an expand per node, an
  // all-gather of the activation, a reduce per node and a gather of the output: 1 + 4 + 1 + 4 + 1 = 11 ops. Direct
  // messages: the broadcast and the gather p - 1 = 3 each, the all-gather p (p - 1) = 12: 18, all in one block, and
  // size_bound is exact for direct, so the run sends exactly that many.
  const topo::Topology t = testing::round_star(4);
  workload::ModelSpec m;
  m.d_model = 512;
  m.d_ff = 2048;
  plan::PlanSpec spec;
  spec.nodes = 4;
  const plan::OpGraph graph = plan::build_seed_plan(m, 6, spec).graph;
  const net::NetworkOptions network;
  const exec::RunSizeBound size = exec::run_size_bound(t, graph, network);
  CHECK(size.ops == 11);
  CHECK(size.ranks == 4);
  CHECK(size.steps == 18);
  CHECK(exec::execute(t, graph, network).transfers == 18);
  // Each message in flight costs at least its slot in the network model: the bound holds 18 of them.
  CHECK(size.block_bytes >= 18.0 * static_cast<double>(net::message_bytes_bound(network, 2)));
  CHECK(size.graph_bytes > 0);
}

TEST_CASE("run_size_bound: a ring all-gather over a million ranks is counted without expanding it") {
  // 2 p (p - 1) steps (collective::size_bound's ring), for p = 10^6: 1.999998e12, far beyond any memory; counting
  // them must not expand them (this test would take terabytes if it did).
  plan::Block block;
  plan::CollectiveOp c;
  c.spec.kind = collective::CollectiveKind::all_gather;
  c.spec.algorithm = collective::Algorithm::ring;
  c.spec.pieces.assign(1'000'000, Bytes{1024});
  for (int r = 0; r < 1'000'000; ++r) c.members.push_back(r);
  block.ops.push_back(plan::Op{"gather weights", std::move(c), {}});
  plan::OpGraph graph;
  graph.blocks.push_back(std::move(block));
  const exec::RunSizeBound size = exec::run_size_bound(testing::round_star(2), graph, net::NetworkOptions{});
  CHECK(size.ranks == 1e6);
  CHECK(size.steps == 2e6 * (1e6 - 1));
  // At least a 12-byte Step of the schedule per step.
  CHECK(size.bytes() > 12 * 2e6 * (1e6 - 1));
}

TEST_CASE("run_size_floor: a floor that is the whole graph is priced exactly as run_size_bound prices the graph") {
  // The floor leaves out only what it cannot know (labels, dependencies, group ids, other blocks, the streamed
  // fractions). A graph of one block with none of those, 3 compute ops and 2 ring all-gathers of 4 ranks, is all
  // its floor says: both must come to the same counts and bytes (the figures are shared, not copied).
  const topo::Topology t = testing::round_star(4);
  plan::Block block;
  for (int i = 0; i < 3; ++i) block.ops.push_back(plan::Op{"", plan::ComputeOp{i, hw::ComputeWork{}}, {}});
  for (int k = 0; k < 2; ++k) {
    plan::CollectiveOp c;
    c.spec.kind = collective::CollectiveKind::all_gather;
    c.spec.algorithm = collective::Algorithm::ring;
    c.spec.pieces.assign(4, Bytes{64});
    c.members = {0, 1, 2, 3};
    block.ops.push_back(plan::Op{"", std::move(c), {}});
  }
  plan::OpGraph graph;
  graph.blocks.push_back(std::move(block));
  plan::PlanFloor floor;
  floor.compute_ops = 3;
  floor.add(collective::CollectiveKind::all_gather, collective::Algorithm::ring, 4, 2);
  const net::NetworkOptions network;
  const exec::RunSizeBound built = exec::run_size_bound(t, graph, network);
  const exec::RunSizeBound counted = exec::run_size_floor(t, floor, network);
  // Ring: 2 p (p - 1) = 24 steps per all-gather.
  CHECK(counted.ops == 5);
  CHECK(counted.steps == 48);
  CHECK(counted.ranks == 4);
  CHECK(counted.ops == built.ops);
  CHECK(counted.steps == built.steps);
  CHECK(counted.graph_bytes == built.graph_bytes);
  CHECK(counted.block_bytes == built.block_bytes);
  // One dependency more in the graph, and the floor is strictly below it.
  graph.blocks[0].ops[3].deps.push_back(0);
  CHECK(exec::run_size_bound(t, graph, network).bytes() > counted.bytes());
  // Nothing known: nothing counted.
  CHECK(exec::run_size_floor(t, plan::PlanFloor{}, network).bytes() == 0);
}
