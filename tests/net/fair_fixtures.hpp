#pragma once
// Test support for the fair model's tests (fair_network_test.cpp, fair_network_reference_test.cpp): nodes, links
// and switches in round numbers, the FIFO tests' star, and the check that a delivery's parts add up.

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "net_harness.hpp"
#include "shardsim/net/fair_network.hpp"
#include "shardsim/topo/star.hpp"

namespace shardsim::testing::fair {

inline const SourcePos here{"test.toml", 1, 1};

using FairHarness = Harness<net::FairNetwork>;

inline hw::NodeSpec node(Time send, Time recv) {
  hw::NodeSpec n;
  n.send_overhead = send;
  n.recv_overhead = recv;
  return n;
}
// The FIFO tests' node: 10 us to send, 20 us to receive.
inline hw::NodeSpec pi() { return node(Time::from_us(10), Time::from_us(20)); }
inline hw::NodeSpec instant() { return node(Time{}, Time{}); }

// Bandwidth in bytes per nanosecond (1 = 1 GB/s), latency in microseconds.
inline hw::LinkSpec link(double bytes_per_ns, std::int64_t latency_us) {
  return hw::LinkSpec{ByteRate{bytes_per_ns * 1e9}, Time::from_us(latency_us)};
}
inline hw::SwitchSpec sw(std::int64_t forwarding_us, std::optional<ByteRate> capacity = std::nullopt) {
  return hw::SwitchSpec{Time::from_us(forwarding_us), 0, capacity};
}

// No framing unless a test asks for it: wire bytes = payload.
inline net::NetworkOptions no_framing() {
  return net::NetworkOptions{net::NetworkModelKind::fair, Bytes{1 << 30}, Bytes{0}};
}

// The FIFO tests' star: links of 1 GB/s and 1 us, a switch forwarding in 2 us.
inline topo::Topology star(int nodes, hw::NodeSpec n = pi(), std::optional<ByteRate> capacity = std::nullopt) {
  topo::Topology t;
  topo::StarSpec s;
  s.nodes = nodes;
  s.node = n;
  s.switch_spec = sw(2, capacity);
  s.link = link(1, 1);
  topo::add_star(t, s, here);
  t.seal();
  return t;
}

inline std::string name(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

// The four parts of every delivered message add up to its time in the network, exactly.
template <class H>
void check_parts(const H& h) {
  for (const auto& [tag, d] : h.done) {
    INFO("tag " << tag);
    CHECK(d.delivered - d.started == d.waiting + d.overhead + d.latency + d.serialization);
    CHECK(d.waiting >= Time{});
    CHECK(d.serialization >= Time{});
  }
}

}  // namespace shardsim::testing::fair
