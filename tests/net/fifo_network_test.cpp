#include <catch2/catch.hpp>

#include "net_harness.hpp"
#include "printing.hpp"
#include <map>

#include "shardsim/net/fifo_network.hpp"
#include "shardsim/topo/star.hpp"

using namespace shardsim;

namespace {

const SourcePos here{"test.toml", 1, 1};

using Harness = testing::Harness<net::FifoNetwork>;

// Nodes with 10 us send and 20 us receive overhead; links of 1 byte per ns (1 GB/s) and 1 us latency;
// switches forwarding in 2 us.
hw::NodeSpec node() {
  hw::NodeSpec n;
  n.send_overhead = Time::from_us(10);
  n.recv_overhead = Time::from_us(20);
  return n;
}
const hw::LinkSpec kLink{ByteRate{1e9}, Time::from_us(1)};

// No framing unless a test asks for it: wire bytes = payload.
net::NetworkOptions no_framing() { return net::NetworkOptions{net::NetworkModelKind::fifo, Bytes{1 << 30}, Bytes{0}}; }

topo::Topology star(int nodes) {
  topo::Topology t;
  topo::StarSpec s;
  s.nodes = nodes;
  s.node = node();
  s.switch_spec.forwarding_latency = Time::from_us(2);
  s.link = kLink;
  topo::add_star(t, s, here);
  t.seal();
  return t;
}

}  // namespace

TEST_CASE("framing: one frame header per started frame, at least one") {
  const net::NetworkOptions o{net::NetworkModelKind::fifo, Bytes{1448}, Bytes{90}};
  CHECK(net::wire_bytes(Bytes{0}, o) == Bytes{90});
  CHECK(net::wire_bytes(Bytes{1448}, o) == Bytes{1448 + 90});
  CHECK(net::wire_bytes(Bytes{1449}, o) == Bytes{1449 + 180});
  // The seed's broadcast of x on 1024 Pis: 12288 fp16 values = 24576 B = 16 full frames + 1408 B: 17 frames.
  CHECK(net::wire_bytes(Bytes{24576}, o) == Bytes{24576 + 17 * 90});
  // Goodput of the defaults on a long message: 1448 / 1538 of the line rate = 941.48 Mbit/s at 1 Gbit/s
  // (hardware.md §3 measures 938-941 Mbit/s with iperf3).
  const Bytes big{1448 * 100000};
  CHECK(static_cast<double>(big.count) / static_cast<double>(net::wire_bytes(big, o).count) * 1000 ==
        Approx(941.48).epsilon(1e-4));
}

TEST_CASE("one message across a switch: overheads + two serializations + latencies + forwarding") {
  const topo::Topology t = star(2);
  Harness h(t, no_framing());
  h.start_at(Time{}, {0, 1, Bytes{5000}, 7});
  h.run();
  // send 10 us; node0->switch: 5000 B at 1 B/ns = 5 us, latency 1 us, forwarding 2 us; switch->node1: 5 us + 1 us;
  // receive 20 us. Total 10 + 5 + 1 + 2 + 5 + 1 + 20 = 44 us.
  const net::TransferTiming& d = h.done.at(7);
  CHECK(d.delivered == Time::from_us(44));
  CHECK(d.overhead == Time::from_us(30));
  CHECK(d.serialization == Time::from_us(10));
  CHECK(d.latency == Time::from_us(4));
  CHECK(d.waiting == Time{});
}

TEST_CASE("k messages on one link take k serializations: the link is FIFO") {
  // Three senders to one receiver (incast). Each sender's own link is free, so all three reach the switch at
  // 10 + 5 + 1 + 2 = 18 us; switch->node0 then serializes them one after another (5 us each) in the order they
  // arrived (equal times: scheduling order, i.e. node1, node2, node3).
  //   node1: crosses 18..23, arrives 24, receiver CPU 24..44 -> delivered 44 us
  //   node2: waits 5, crosses 23..28, arrives 29, receiver busy until 44: waits 15, 44..64 -> 64 us
  //   node3: waits 10, crosses 28..33, arrives 34, waits 30 for the CPU, 64..84 -> 84 us
  const topo::Topology t = star(4);
  Harness h(t, no_framing());
  for (int s = 1; s <= 3; ++s) h.start_at(Time{}, {s, 0, Bytes{5000}, static_cast<std::uint64_t>(s)});
  h.run();
  CHECK(h.done.at(1).delivered == Time::from_us(44));
  CHECK(h.done.at(2).delivered == Time::from_us(64));
  CHECK(h.done.at(3).delivered == Time::from_us(84));
  CHECK(h.done.at(2).waiting == Time::from_us(20));
  CHECK(h.done.at(3).waiting == Time::from_us(40));
  // The busy link carried 3 x 5000 B and was busy 15 us.
  const auto& c = h.model().counters();
  const topo::DirLinkId into_node0 = 1;  // link 0 joins node0 (a) and the switch (b); b -> a is 2*0+1
  CHECK(c.link_wire_bytes[into_node0] == Bytes{15000});
  CHECK(c.link_busy[into_node0] == Time::from_us(15));
}

TEST_CASE("a sender's CPU sends one message at a time") {
  // node0 sends 1000 B to node1, node2 and node3 at t = 0: send overheads end at 10, 20, 30 us; each message
  // then has free links (1 + 1 + 2 + 1 + 1 us) and its own receiver (20 us): delivered at 36, 46, 56 us.
  const topo::Topology t = star(4);
  Harness h(t, no_framing());
  for (int d = 1; d <= 3; ++d) h.start_at(Time{}, {0, d, Bytes{1000}, static_cast<std::uint64_t>(d)});
  h.run();
  CHECK(h.done.at(1).delivered == Time::from_us(36));
  CHECK(h.done.at(2).delivered == Time::from_us(46));
  CHECK(h.done.at(3).delivered == Time::from_us(56));
  // ... but node0 -> switch is busy 1 us per message only after each send overhead: no link waiting.
  CHECK(h.done.at(3).waiting == Time::from_us(20));
}

TEST_CASE("conservation: bytes sent = bytes received, per node and on every link of every route") {
  const topo::Topology t = star(6);
  Harness h(t, net::NetworkOptions{});
  std::uint64_t tag = 0;
  std::int64_t total = 0;
  for (int s = 0; s < 6; ++s) {
    for (int d = 0; d < 6; ++d) {
      if (s == d) continue;
      const Bytes b{100 + 37 * s + 11 * d};
      total += b.count;
      h.start_at(Time::from_ns(100 * (s + d)), {s, d, b, tag++});
    }
  }
  h.run();
  const auto& c = h.model().counters();
  std::int64_t sent = 0, received = 0, wire_into_switch = 0, wire_out_of_switch = 0;
  for (int n = 0; n < 6; ++n) {
    sent += c.node_payload_sent[n].count;
    received += c.node_payload_received[n].count;
    wire_into_switch += c.link_wire_bytes[2 * n].count;
    wire_out_of_switch += c.link_wire_bytes[2 * n + 1].count;
  }
  CHECK(h.done.size() == 30);
  CHECK(c.transfers == 30);
  CHECK(sent == total);
  CHECK(received == total);
  // Every message crosses one link into the switch and one out of it, with the same wire bytes.
  CHECK(wire_into_switch == wire_out_of_switch);
  CHECK(wire_into_switch > total);  // framing adds bytes
  CHECK(h.model().in_flight() == 0);
  for (const auto& [t2, timing] : h.done) {
    CHECK(timing.delivered - timing.started ==
          timing.waiting + timing.overhead + timing.latency + timing.serialization);
  }
}
