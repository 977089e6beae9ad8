#include <catch2/catch.hpp>

#include "printing.hpp"
#include "round_star.hpp"

#include "shardsim/exec/executor.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/topo/star.hpp"

using namespace shardsim;

namespace {

// Round numbers (tests/support/round_star.hpp); framing: 1000 B of payload per frame, 100 B of header per frame.
const net::NetworkOptions kFraming{net::NetworkModelKind::fifo, Bytes{1000}, Bytes{100}};

workload::ModelSpec tiny_model() {
  workload::ModelSpec m;
  m.d_model = 8;
  m.d_ff = 16;
  m.dtype = workload::Dtype::fp16;
  return m;
}

exec::RunStats run(const topo::Topology& t, const workload::ModelSpec& m, int nodes, std::int64_t batch) {
  plan::PlanSpec spec;
  spec.nodes = nodes;
  return exec::execute(t, plan::build_seed_plan(m, batch, spec).graph, kFraming);
}

}  // namespace

TEST_CASE("per-token latency of the seed layer on a 2-node star, derived by hand") {
  // d_model 8, d_ff 16, batch 1, fp16, 2 nodes: E_i = 8 columns of expand, R_i = 4 columns of reduce.
  // Messages: x = 8 values = 16 B -> 116 B on the wire (one frame) -> 0.928 us per link;
  //           activation piece = 8 values = 16 B -> 0.928 us; output piece = 4 values = 8 B -> 108 B -> 0.864 us.
  // Ops (memory-bound at these sizes): expand reads (8*8 + 8) * 2 = 144 B, writes 16 B: 160 ns + 1 us = 1.160 us;
  //                                     reduce reads (16*4 + 16) * 2 = 160 B, writes 8 B: 168 ns + 1 us = 1.168 us.
  //  0.000  root (node0) holds x: expand0 runs 0 .. 1.160; broadcast x -> node1 starts: send CPU 0 .. 10
  //         node0->switch 10 .. 10.928, +1 latency +2 forwarding = 13.928; switch->node1 .. 14.856, +1 = 15.856
  //         node1 receive CPU 15.856 .. 25.856
  //  1.160  all-gather rank 0 ready: its send waits for node0's CPU until 10 (8.84 waiting), sends 10 .. 20,
  //         link 20 .. 20.928 +3 = 23.928, .. 24.856 +1 = 25.856, node1's CPU is free at 25.856: .. 35.856
  // 25.856  expand1 runs .. 27.016; all-gather rank 1 sends 27.016 .. 37.016, link .. 37.944 +3 = 40.944,
  //         .. 41.872 +1 = 42.872, node0 receive 42.872 .. 52.872
  // 35.856  node1 has the full activation: reduce1 runs .. 37.024
  // 37.024  gather rank 1 sends: 37.024 .. 47.024, link .. 47.888 +3 = 50.888, .. 51.752 +1 = 52.752;
  //         node0's CPU is busy receiving until 52.872 (0.12 waiting): .. 62.872
  // 52.872  node0 has the full activation: reduce0 runs .. 54.040
  // 62.872  the output is complete on the root: the token took 62.872 us.
  const topo::Topology t = testing::round_star(2);
  const exec::RunStats s = run(t, tiny_model(), 2, 1);
  CHECK(s.token_latency == Time::from_ns(62872));
  // Critical path, backwards: gather step from node1 (0.12 waiting, 20 overhead, 4 latency, 0.864 + 0.864 wire)
  // <- reduce1 (0.168 memory, 1 overhead) <- all-gather step from node0 (8.84 waiting, 20 overhead, 4 latency,
  // 0.928 + 0.928 wire) <- expand0 (0.160 memory, 1 overhead) <- x at the root at 0.
  const exec::Breakdown& cp = s.critical_path;
  CHECK(cp.memory == Time::from_ns(160 + 168));
  CHECK(cp.compute == Time{});
  CHECK(cp.overhead == Time::from_ns(1000 + 20000 + 1000 + 20000));
  CHECK(cp.latency == Time::from_ns(4000 + 4000));
  CHECK(cp.serialization == Time::from_ns(1856 + 1728));
  CHECK(cp.waiting == Time::from_ns(8840 + 120));
  CHECK(cp.total() == s.token_latency);
  // Messages: 1 broadcast + 2 all-gather + 1 gather.
  CHECK(s.transfers == 4);
}

TEST_CASE("layers repeat: time and traffic scale exactly with the layer count") {
  const topo::Topology t = testing::round_star(2);
  workload::ModelSpec m = tiny_model();
  const exec::RunStats one = run(t, m, 2, 1);
  m.layers = 5;
  const exec::RunStats five = run(t, m, 2, 1);
  CHECK(five.token_latency == one.token_latency * 5);
  CHECK(five.critical_path.total() == five.token_latency);
  CHECK(five.transfers == one.transfers * 5);
  CHECK(five.nodes[1].payload_received == one.nodes[1].payload_received * 5);
  CHECK(five.links[0].wire_bytes == one.links[0].wire_bytes * 5);
  // Only one repetition is simulated.
  CHECK(five.events == one.events);
}

TEST_CASE("payload and memory traffic of a simulated layer equal the seed's closed forms") {
  // d_model 512, d_ff 2048, batch 6 on 4 nodes: the notebook prints internal_bandwidth_params 2158592 and
  // cross_machine_bandwidth_params 64512 (fp16: x2 bytes). Network payload excludes each node's own piece:
  // broadcast 3 * 3072 + all-gather 4 * 3 * 3072 + gather 3 * 768 = 9216 + 36864 + 2304 = 48384 values.
  const topo::Topology t = testing::round_star(4);
  workload::ModelSpec m;
  m.d_model = 512;
  m.d_ff = 2048;
  const exec::RunStats s = run(t, m, 4, 6);
  Bytes read, delivered, sent, received;
  for (const exec::NodeStats& n : s.nodes) {
    read += n.memory_read;
    delivered += n.payload_delivered;
    sent += n.payload_sent;
    received += n.payload_received;
  }
  CHECK(read == Bytes{2158592 * 2});
  CHECK(delivered == Bytes{64512 * 2});
  CHECK(sent == Bytes{48384 * 2});
  CHECK(received == sent);
  // Every message crosses two links (node -> switch -> node): wire bytes in = wire bytes out of the switch.
  Bytes into_switch, out_of_switch;
  for (std::size_t l = 0; l < s.links.size(); l += 2) {
    into_switch += s.links[l].wire_bytes;
    out_of_switch += s.links[l + 1].wire_bytes;
  }
  CHECK(into_switch == out_of_switch);
  CHECK(s.critical_path.total() == s.token_latency);
}

TEST_CASE("two experts per token run concurrently on the same nodes") {
  // Each active expert is a full seed layer. Running two costs more than one (they share CPUs and links) but
  // less than two in a row (they overlap); their traffic is exactly double.
  const topo::Topology t = testing::round_star(4);
  workload::ModelSpec m;
  m.d_model = 64;
  m.d_ff = 256;
  m.experts = 8;
  const exec::RunStats one = run(t, m, 4, 1);
  m.experts_per_token = 2;
  const exec::RunStats two = run(t, m, 4, 1);
  CHECK(two.token_latency > one.token_latency);
  CHECK(two.token_latency < one.token_latency * 2);
  CHECK(two.transfers == 2 * one.transfers);
  CHECK(two.nodes[0].memory_read == one.nodes[0].memory_read * 2);
  CHECK(two.critical_path.total() == two.token_latency);
}

TEST_CASE("one node: no network at all, the token is two matmuls") {
  // d_model 8, d_ff 16, batch 1 on one node holding all columns:
  //   expand: 256 FLOP (256 ns); reads (8*16 + 8) * 2 = 272 B, writes 32 B: 304 ns, memory-bound -> 1.304 us;
  //   reduce: 256 FLOP; reads (16*8 + 16) * 2 = 288 B, writes 16 B: 304 ns -> 1.304 us. Total 2.608 us.
  const topo::Topology t = testing::round_star(1);
  const exec::RunStats s = run(t, tiny_model(), 1, 1);
  CHECK(s.transfers == 0);
  CHECK(s.token_latency == Time::from_ns(1304 + 1304));
  CHECK(s.critical_path.memory == Time::from_ns(304 + 304));
}
