#pragma once
// Test support: a star of nodes with round numbers, so that times can be worked out by hand in test comments:
//   nodes: 1 GFLOP/s (1 FLOP/ns), 1 GB/s memory (1 B/ns), 1 us per op, 10 us per message sent and received;
//   links: 1 Gbit/s = 125e6 B/s (8 ns per byte), 1 us latency; the switch forwards in 2 us.

#include "shardsim/topo/star.hpp"

namespace shardsim::testing {

inline topo::Topology round_star(int nodes) {
  topo::StarSpec s;
  s.nodes = nodes;
  s.node.ram = Bytes{1'000'000'000};
  s.node.flop_rate = FlopRate{1e9};
  s.node.memory_bandwidth = ByteRate{1e9};
  s.node.op_overhead = Time::from_us(1);
  s.node.send_overhead = Time::from_us(10);
  s.node.recv_overhead = Time::from_us(10);
  s.switch_spec.forwarding_latency = Time::from_us(2);
  s.link = hw::LinkSpec{ByteRate{125e6}, Time::from_us(1)};
  topo::Topology t;
  topo::add_star(t, s, SourcePos{"test", 1, 1});
  t.seal();
  return t;
}

}  // namespace shardsim::testing
