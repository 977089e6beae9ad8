#include <catch2/catch.hpp>

#include "fair_fixtures.hpp"
#include "net_harness.hpp"
#include "printing.hpp"
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "shardsim/net/fair_network.hpp"
#include "shardsim/net/fifo_network.hpp"
#include "shardsim/topo/star.hpp"

using namespace shardsim;
using namespace shardsim::testing::fair;
using testing::Harness;

TEST_CASE("fair: make_network_model builds the fair model for kind fair") {
  const topo::Topology t = star(2);
  net::NetworkOptions o;
  o.model = net::NetworkModelKind::fair;
  const auto model = net::make_network_model(t, o);
  CHECK(dynamic_cast<const net::FairNetwork*>(model.get()) != nullptr);
  o.model = net::NetworkModelKind::fifo;
  CHECK(dynamic_cast<const net::FifoNetwork*>(net::make_network_model(t, o).get()) != nullptr);
}

TEST_CASE("fair: one flow over several hops takes W / bottleneck + latencies + forwarding + overheads") {
  // n0 -(2 GB/s, 1 us)- s1 -(1 GB/s, 2 us)- s2 -(4 GB/s, 3 us)- n1; s1 forwards in 2 us, s2 in 5 us.
  topo::Topology t;
  t.add_node("n0", pi(), here);
  t.add_node("n1", pi(), here);
  t.add_switch("s1", sw(2), here);
  t.add_switch("s2", sw(5), here);
  t.add_link("n0", "s1", link(2, 1), here);
  t.add_link("s1", "s2", link(1, 2), here);
  t.add_link("s2", "n1", link(4, 3), here);
  t.seal();
  FairHarness h(t, no_framing());
  h.start_at(Time{}, {0, 1, Bytes{5000}, 7});
  h.run();
  // send 10 us; the flow runs at the bottleneck's 1 B/ns on all three links at once: 5000 B in 5 us; latency
  // 1 + 2 + 3 us on the links + 2 + 5 us in the switches = 13 us; receive 20 us. 10 + 5 + 13 + 20 = 48 us.
  // (FIFO's store-and-forward would take 2.5 + 5 + 1.25 us to serialize instead of 5.)
  const net::TransferTiming& d = h.done.at(7);
  CHECK(d.delivered == Time::from_us(48));
  CHECK(d.overhead == Time::from_us(30));
  CHECK(d.serialization == Time::from_us(5));
  CHECK(d.latency == Time::from_us(13));
  CHECK(d.waiting == Time{});
  // Each direction n0->s1, s1->s2, s2->n1 (2 * link) carried 5000 B and counts W / its bandwidth as busy:
  // 2.5 us, 5 us, 1.25 us. The reverse directions carried nothing.
  const auto& c = h.model().counters();
  CHECK(c.link_wire_bytes == std::vector<Bytes>{Bytes{5000}, Bytes{}, Bytes{5000}, Bytes{}, Bytes{5000}, Bytes{}});
  CHECK(c.link_busy == std::vector<Time>{Time::from_ns(2500), Time{}, Time::from_us(5), Time{}, Time::from_ns(1250),
                                         Time{}});
  CHECK(c.node_payload_sent[0] == Bytes{5000});
  CHECK(c.node_payload_received[1] == Bytes{5000});
  CHECK(c.transfers == 1);
  CHECK(h.model().in_flight() == 0);
  CHECK(h.model().solver().active_flows() == 0);
}

TEST_CASE("fair: k equal flows on one link each get 1/k and all finish at k times the serialization") {
  // Four senders a0..a3 on switch A, four receivers b0..b3 on switch B, one A -> B trunk; every link 1 GB/s and
  // 1 us, switches forward in 2 us. a_i sends 5000 B to b_i: each flow is alone on its access links but the four
  // share the trunk, so each runs at 1/4 B/ns: 5000 B in 20 us, four times the 5 us serialization alone.
  constexpr int k = 4;
  topo::Topology t;
  t.add_switch("A", sw(2), here);
  t.add_switch("B", sw(2), here);
  t.add_link("A", "B", link(1, 1), here);
  for (int i = 0; i < k; ++i) {
    t.add_node(name("a", i), pi(), here);
    t.add_link(name("a", i), "A", link(1, 1), here);
  }
  for (int i = 0; i < k; ++i) {
    t.add_node(name("b", i), pi(), here);
    t.add_link(name("b", i), "B", link(1, 1), here);
  }
  t.seal();
  FairHarness h(t, no_framing());
  for (int i = 0; i < k; ++i) h.start_at(Time{}, {i, k + i, Bytes{5000}, static_cast<std::uint64_t>(i)});
  h.run();
  // Each: send 10 us (in parallel), flow 10..30 us, latency 3 x 1 us + 2 x 2 us = 7 us, receive 20 us (each its
  // own receiver): delivered at 10 + 20 + 7 + 20 = 57 us; 15 us of the flow are lost to sharing.
  for (int i = 0; i < k; ++i) {
    const net::TransferTiming& d = h.done.at(static_cast<std::uint64_t>(i));
    CHECK(d.delivered == Time::from_us(57));
    CHECK(d.serialization == Time::from_us(5));
    CHECK(d.latency == Time::from_us(7));
    CHECK(d.waiting == Time::from_us(15));
  }
  // The trunk A -> B (link 0, direction 0) carried 4 x 5000 B; busy = sum of W / bandwidth = 20 us.
  CHECK(h.model().counters().link_wire_bytes[0] == Bytes{20000});
  CHECK(h.model().counters().link_busy[0] == Time::from_us(20));
  check_parts(h);
}

TEST_CASE("fair: the classic two-bottleneck example gets rates 1/2, 1/2, 3/2") {
  // Switches S1 -L1- S2 -L2- S3 with L1 = 1 GB/s and L2 = 2 GB/s; every node hangs on a 100 GB/s access link, so
  // only L1 and L2 can bind. No latency, forwarding or overhead, so delivered = when the flow's bytes are sent.
  //   A: a0 (on S1) -> a1 (on S2), 1000 B, uses L1
  //   B: b0 (on S1) -> b1 (on S3), 1000 B, uses L1 and L2
  //   C: c0 (on S2) -> c1 (on S3), 6000 B, uses L2
  // Progressive filling: L1's share is 1/2 B/ns, L2's 2/2 = 1: L1 fills first, fixing A and B at 1/2; L2 has
  // 2 - 1/2 = 3/2 left for C alone. So A and B end at 1000 / 0.5 = 2 us; C has sent 3 000 B by then and has L2
  // to itself for the other 3000 B at 2 B/ns: 1.5 us more, ending at 3.5 us.
  topo::Topology t;
  for (const char* s : {"S1", "S2", "S3"}) t.add_switch(s, sw(0), here);
  t.add_link("S1", "S2", hw::LinkSpec{ByteRate{1e9}, Time{}}, here);
  t.add_link("S2", "S3", hw::LinkSpec{ByteRate{2e9}, Time{}}, here);
  const std::vector<std::pair<const char*, const char*>> at = {
      {"a0", "S1"}, {"a1", "S2"}, {"b0", "S1"}, {"b1", "S3"}, {"c0", "S2"}, {"c1", "S3"}};
  for (const auto& [n, s] : at) {
    t.add_node(n, instant(), here);
    t.add_link(n, s, hw::LinkSpec{ByteRate{100e9}, Time{}}, here);
  }
  t.seal();
  FairHarness h(t, no_framing());
  h.start_at(Time{}, {0, 1, Bytes{1000}, 'A'});
  h.start_at(Time{}, {2, 3, Bytes{1000}, 'B'});
  h.start_at(Time{}, {4, 5, Bytes{6000}, 'C'});
  h.run();
  CHECK(h.done.at('A').delivered == Time::from_us(2));
  CHECK(h.done.at('B').delivered == Time::from_us(2));
  CHECK(h.done.at('C').delivered == Time::from_ns(3500));
  // Alone, A and B would take 1000 B / 1 B/ns = 1 us (L1), C 6000 B / 2 B/ns = 3 us (L2): the rest is sharing.
  CHECK(h.done.at('A').serialization == Time::from_us(1));
  CHECK(h.done.at('A').waiting == Time::from_us(1));
  CHECK(h.done.at('B').serialization == Time::from_us(1));
  CHECK(h.done.at('B').waiting == Time::from_us(1));
  CHECK(h.done.at('C').serialization == Time::from_us(3));
  CHECK(h.done.at('C').waiting == Time::from_ns(500));
  check_parts(h);
}

TEST_CASE("fair: incast of k senders shares the receiver's link, then queues for the receiver's CPU") {
  // node1..node3 each send 5000 B to node0 on the FIFO tests' star. All flows begin after the 10 us send overhead
  // and share switch -> node0 at 1/3 B/ns: 15 us each, all ending at 25 us. They arrive 1 + 2 + 1 = 4 us later
  // (29 us) and take the receiver's CPU (20 us each) in the order they were started: node3, node1, node2 here.
  //   node3: 29..49 us; waiting = 10 us of sharing (15 - 5)
  //   node1: 49..69 us; waiting = 10 + 20 us for the CPU = 30 us
  //   node2: 69..89 us; waiting = 10 + 40 = 50 us
  // (FIFO delivers at 44, 64, 84 us: one message at a time on the link, then the CPU.)
  const topo::Topology t = star(4);
  FairHarness h(t, no_framing());
  for (int s : {3, 1, 2}) h.start_at(Time{}, {s, 0, Bytes{5000}, static_cast<std::uint64_t>(s)});
  h.run();
  CHECK(h.done.at(3).delivered == Time::from_us(49));
  CHECK(h.done.at(1).delivered == Time::from_us(69));
  CHECK(h.done.at(2).delivered == Time::from_us(89));
  CHECK(h.done.at(3).waiting == Time::from_us(10));
  CHECK(h.done.at(1).waiting == Time::from_us(30));
  CHECK(h.done.at(2).waiting == Time::from_us(50));
  for (int s = 1; s <= 3; ++s) CHECK(h.done.at(static_cast<std::uint64_t>(s)).serialization == Time::from_us(5));
  // switch -> node0 is direction 1 of link 0: 3 x 5000 B, busy 3 x 5 us.
  const auto& c = h.model().counters();
  CHECK(c.link_wire_bytes[1] == Bytes{15000});
  CHECK(c.link_busy[1] == Time::from_us(15));
  check_parts(h);
}

TEST_CASE("fair: parking lot: the long flow gets 1/2 on every link until the last short flow ends") {
  // Switches S0 -L1- S1 -L2- S2 -L3- S3, each link 1 GB/s with 1 us latency; nodes on 100 GB/s access links
  // without latency; no forwarding or overhead. The long flow goes from S0 to S3 (4000 B), short flow i over
  // Li alone (1000, 2000, 3000 B). Every link carries two flows: all four run at 1/2 B/ns.
  //   short1 ends at 1000 / 0.5 = 2 us. L1 now carries the long flow alone, but L2 and L3 still hold it to 1/2.
  //   short2 ends at 2000 / 0.5 = 4 us; L3 still holds the long flow to 1/2.
  //   short3 ends at 3000 / 0.5 = 6 us. The long flow has sent 6 us x 0.5 = 3000 B; its last 1000 B go at 1 B/ns:
  //   it ends at 7 us.
  // Delivered = end + latency: shorts 1 us (one link), the long flow 3 us.
  topo::Topology t;
  for (int i = 0; i <= 3; ++i) t.add_switch(name("S", i), sw(0), here);
  for (int i = 1; i <= 3; ++i) t.add_link(name("S", i - 1), name("S", i), link(1, 1), here);
  auto attach = [&](const std::string& n, const std::string& s) {
    t.add_node(n, instant(), here);
    t.add_link(n, s, hw::LinkSpec{ByteRate{100e9}, Time{}}, here);
  };
  attach("long0", "S0");
  attach("long1", "S3");
  for (int i = 1; i <= 3; ++i) {
    attach(name("from", i), name("S", i - 1));
    attach(name("to", i), name("S", i));
  }
  t.seal();
  FairHarness h(t, no_framing());
  h.start_at(Time{}, {0, 1, Bytes{4000}, 0});
  for (int i = 1; i <= 3; ++i) {
    h.start_at(Time{}, {2 * i, 2 * i + 1, Bytes{1000 * i}, static_cast<std::uint64_t>(i)});
  }
  h.run();
  CHECK(h.done.at(1).delivered == Time::from_us(3));
  CHECK(h.done.at(2).delivered == Time::from_us(5));
  CHECK(h.done.at(3).delivered == Time::from_us(7));
  CHECK(h.done.at(0).delivered == Time::from_us(10));
  // The long flow alone would take 4 us; it took 7.
  CHECK(h.done.at(0).serialization == Time::from_us(4));
  CHECK(h.done.at(0).latency == Time::from_us(3));
  CHECK(h.done.at(0).waiting == Time::from_us(3));
  check_parts(h);
}

TEST_CASE("fair: 40 nodes behind one 1 Gbit/s uplink each get 1/40 of it") {
  // Leaf switches A and B under core switch C; 40 nodes on each leaf; every link 1 Gbit/s = 125 MB/s with 1 us
  // latency; switches forward in 2 us. a_i sends 125 000 B to b_i: 1 ms alone, but all 40 flows share A -> C
  // (and C -> B): each runs at 125/40 MB/s and takes 40 ms.
  constexpr int k = 40;
  const hw::LinkSpec gigabit{ByteRate{125e6}, Time::from_us(1)};
  topo::Topology t;
  for (const char* s : {"A", "B", "C"}) t.add_switch(s, sw(2), here);
  t.add_link("A", "C", gigabit, here);  // link 0: direction 0 is A -> C
  t.add_link("C", "B", gigabit, here);  // link 1: direction 2 is C -> B
  for (int i = 0; i < k; ++i) {
    t.add_node(name("a", i), pi(), here);
    t.add_link(name("a", i), "A", gigabit, here);
  }
  for (int i = 0; i < k; ++i) {
    t.add_node(name("b", i), pi(), here);
    t.add_link(name("b", i), "B", gigabit, here);
  }
  t.seal();
  FairHarness h(t, no_framing());
  for (int i = 0; i < k; ++i) h.start_at(Time{}, {i, k + i, Bytes{125000}, static_cast<std::uint64_t>(i)});
  h.run();
  // send 10 us, flow 40 ms, latency 4 links x 1 us + 3 switches x 2 us = 10 us, receive 20 us: 40.040 ms.
  for (int i = 0; i < k; ++i) {
    const net::TransferTiming& d = h.done.at(static_cast<std::uint64_t>(i));
    CHECK(d.delivered == Time::from_us(40040));
    CHECK(d.serialization == Time::from_us(1000));
    CHECK(d.latency == Time::from_us(10));
    CHECK(d.waiting == Time::from_us(39000));
  }
  const auto& c = h.model().counters();
  CHECK(c.link_wire_bytes[0] == Bytes{125000 * k});
  CHECK(c.link_busy[0] == Time::from_us(1000 * k));
  CHECK(c.link_wire_bytes[2] == Bytes{125000 * k});
  // The 40 flows started as 40 classes and, held back by the same uplink at the same rate, became one: 39 merges.
  CHECK(h.model().solver().class_merges() == k - 1);
  CHECK(h.model().solver().rate_classes() == 0);
  check_parts(h);
}

TEST_CASE("fair: a flow that starts while another is active, and ends first: rates re-solved piecewise") {
  // The FIFO tests' star (1 GB/s links, 1 us latency, 2 us forwarding, 10 us send, 20 us receive overhead).
  // X: node0 -> node2, 10 000 B, started at 0; Y: node1 -> node2, 2000 B, started at 4 us. They share
  // switch -> node2.
  //   X's flow begins at 10 us, alone at 1 B/ns: by 14 us it has sent 4000 B.
  //   Y's flow begins at 14 us; both run at 1/2 B/ns. Y's 2000 B take 4 us: Y ends at 18 us; X has sent 6000 B.
  //   X alone again at 1 B/ns: 4000 B in 4 us, ends at 22 us (10 us alone + 2 us lost to sharing).
  //   Arrivals at +4 us: Y at 22 us, X at 26 us. node2's CPU: Y 22..42 us, X waits 16 us, 42..62 us.
  // Y: 38 us in all = 30 overhead + 4 latency + 2 serialization + 2 waiting (sharing).
  // X: 62 us in all = 30 overhead + 4 latency + 10 serialization + 18 waiting (2 sharing + 16 CPU).
  const topo::Topology t = star(3);
  FairHarness h(t, no_framing());
  h.start_at(Time{}, {0, 2, Bytes{10000}, 'X'});
  h.start_at(Time::from_us(4), {1, 2, Bytes{2000}, 'Y'});
  h.run();
  const net::TransferTiming& x = h.done.at('X');
  const net::TransferTiming& y = h.done.at('Y');
  CHECK(y.delivered == Time::from_us(42));
  CHECK(y.serialization == Time::from_us(2));
  CHECK(y.waiting == Time::from_us(2));
  CHECK(x.delivered == Time::from_us(62));
  CHECK(x.serialization == Time::from_us(10));
  CHECK(x.waiting == Time::from_us(18));
  check_parts(h);
}

TEST_CASE("fair: a switch capacity binds when the flows through it exceed it") {
  SECTION("two flows on disjoint links share a 1.5 GB/s switch") {
    // Star of 4 (1 GB/s links) whose switch moves 1.5 GB/s: node0 -> node1 and node2 -> node3 use different
    // links but both cross the switch, so each gets 0.75 B/ns: 3000 B in 4 us instead of 3.
    // Delivered at 10 (send) + 4 + 4 (latency) + 20 (receive) = 38 us; 1 us of it lost to sharing.
    const topo::Topology t = star(4, pi(), ByteRate{1.5e9});
    FairHarness h(t, no_framing());
    h.start_at(Time{}, {0, 1, Bytes{3000}, 1});
    h.start_at(Time{}, {2, 3, Bytes{3000}, 2});
    h.run();
    for (std::uint64_t tag : {1, 2}) {
      CHECK(h.done.at(tag).delivered == Time::from_us(38));
      CHECK(h.done.at(tag).serialization == Time::from_us(3));
      CHECK(h.done.at(tag).waiting == Time::from_us(1));
    }
    check_parts(h);
  }
  SECTION("a switch slower than its links is a flow's bottleneck even alone") {
    // A 0.5 GB/s switch: 3000 B alone take 6 us, all of it serialization: 10 + 6 + 4 + 20 = 40 us.
    const topo::Topology t = star(2, pi(), ByteRate{0.5e9});
    FairHarness h(t, no_framing());
    h.start_at(Time{}, {0, 1, Bytes{3000}, 1});
    h.run();
    CHECK(h.done.at(1).delivered == Time::from_us(40));
    CHECK(h.done.at(1).serialization == Time::from_us(6));
    CHECK(h.done.at(1).waiting == Time{});
  }
  SECTION("without a capacity the same two flows do not interact") {
    // 3000 B at 1 B/ns: 10 + 3 + 4 + 20 = 37 us.
    const topo::Topology t = star(4);
    FairHarness h(t, no_framing());
    h.start_at(Time{}, {0, 1, Bytes{3000}, 1});
    h.start_at(Time{}, {2, 3, Bytes{3000}, 2});
    h.run();
    CHECK(h.done.at(1).delivered == Time::from_us(37));
    CHECK(h.done.at(2).delivered == Time::from_us(37));
  }
}

namespace {

// Drives a FairNetwork from time 0 like Harness, and also records what it reports through NetContext::link_busy
// (what the executor turns into link spans under --trace).
class SpanRecorder final : public net::NetContext {
 public:
  struct Span {
    topo::DirLinkId link;
    Time begin;
    Time end;
    std::uint64_t tag;
    bool operator==(const Span&) const = default;
  };

  SpanRecorder(const topo::Topology& t, net::NetworkOptions o) : model_(t, o) {}
  void run(const std::vector<net::TransferRequest>& at_zero) {
    for (const net::TransferRequest& r : at_zero) model_.start(Time{}, r, *this);
    engine_.run([this](const net::NetEvent& e) { model_.handle(engine_.now(), e, *this); });
  }
  core::EventId schedule(Time at, net::NetEvent e) override { return engine_.schedule_at(at, e); }
  void cancel(core::EventId id) override { engine_.cancel(id); }
  void delivered(std::uint64_t tag, const net::TransferTiming&) override { delivered_tags.push_back(tag); }
  void link_busy(topo::DirLinkId link, Time begin, Time end, std::uint64_t tag) override {
    spans.push_back(Span{link, begin, end, tag});
  }

  std::vector<Span> spans;
  std::vector<std::uint64_t> delivered_tags;

 private:
  net::FairNetwork model_;
  core::Engine<net::NetEvent> engine_;
};

}  // namespace

TEST_CASE("fair: every flow reports its interval on each link direction of its route, for timelines") {
  // The FIFO tests' star (1 GB/s links; link i joins node i and the switch, direction 2i from the node, 2i + 1 to
  // it). X: node0 -> node2, 10 000 B; Y: node1 -> node2, 2000 B; both started at 0, so both flows begin after the
  // 10 us send overhead and share switch -> node2 (direction 5) at 1/2 B/ns. Y's 2000 B take 4 us: Y flows
  // 10..14 us; X has sent 2000 B by then and sends its other 8000 B alone at 1 B/ns: X flows 10..22 us.
  // Each flow reports its whole interval on every direction of its route, when it ends: Y first (node1 -> switch
  // is direction 2), then X (node0 -> switch is direction 0). The two intervals on direction 5 overlap: the flows
  // shared it. A message to itself crosses no link and reports nothing.
  const topo::Topology t = star(3);
  SpanRecorder r(t, no_framing());
  r.run({{0, 2, Bytes{10000}, 'X'}, {1, 2, Bytes{2000}, 'Y'}, {2, 2, Bytes{100}, 'Z'}});
  using Span = SpanRecorder::Span;
  const Time begin = Time::from_us(10);
  CHECK(r.spans == std::vector<Span>{{2, begin, Time::from_us(14), 'Y'},
                                     {5, begin, Time::from_us(14), 'Y'},
                                     {0, begin, Time::from_us(22), 'X'},
                                     {5, begin, Time::from_us(22), 'X'}});
  CHECK(r.delivered_tags.size() == 3);
}

TEST_CASE("fair: a message to itself or of no wire bytes crosses no link") {
  // node0 -> node0: send 10 us, receive 20 us, nothing in between. An empty message without framing has no wire
  // bytes: node1 -> node2 takes send 10, latency 4, receive 20 = 34 us.
  const topo::Topology t = star(3);
  FairHarness h(t, no_framing());
  h.start_at(Time{}, {0, 0, Bytes{100}, 1});
  h.start_at(Time{}, {1, 2, Bytes{0}, 2});
  h.run();
  CHECK(h.done.at(1).delivered == Time::from_us(30));
  CHECK(h.done.at(1).latency == Time{});
  CHECK(h.done.at(2).delivered == Time::from_us(34));
  CHECK(h.done.at(2).serialization == Time{});
  CHECK(h.done.at(2).latency == Time::from_us(4));
  check_parts(h);
}

TEST_CASE("fair and FIFO agree on an uncongested message over one link, and differ over two") {
  // With default framing, 5000 B = 4 frames: W = 5000 + 4 x 90 = 5360 B, 5.36 us at 1 B/ns.
  const net::NetworkOptions fair_options{net::NetworkModelKind::fair, Bytes{1448}, Bytes{90}};
  const net::NetworkOptions fifo_options{net::NetworkModelKind::fifo, Bytes{1448}, Bytes{90}};
  SECTION("one link: no store-and-forward, so the same timing to the picosecond") {
    topo::Topology t;
    t.add_node("n0", pi(), here);
    t.add_node("n1", pi(), here);
    t.add_link("n0", "n1", link(1, 1), here);
    t.seal();
    FairHarness fair(t, fair_options);
    Harness<net::FifoNetwork> fifo(t, fifo_options);
    fair.start_at(Time{}, {0, 1, Bytes{5000}, 1});
    fifo.start_at(Time{}, {0, 1, Bytes{5000}, 1});
    fair.run();
    fifo.run();
    // 10 + 5.36 + 1 + 20 = 36.36 us.
    const net::TransferTiming& a = fair.done.at(1);
    const net::TransferTiming& b = fifo.done.at(1);
    CHECK(a.delivered == Time::from_ns(36360));
    CHECK(a.delivered == b.delivered);
    CHECK(a.waiting == b.waiting);
    CHECK(a.overhead == b.overhead);
    CHECK(a.latency == b.latency);
    CHECK(a.serialization == b.serialization);
    CHECK(fair.model().counters().link_wire_bytes == fifo.model().counters().link_wire_bytes);
    CHECK(fair.model().counters().link_busy == fifo.model().counters().link_busy);
  }
  SECTION("two links: FIFO serializes twice, the fair model once") {
    // Star: fair 10 + 5.36 + 4 + 20 = 39.36 us; FIFO 10 + 2 x 5.36 + 4 + 20 = 44.72 us.
    const topo::Topology t = star(2);
    FairHarness fair(t, fair_options);
    Harness<net::FifoNetwork> fifo(t, fifo_options);
    fair.start_at(Time{}, {0, 1, Bytes{5000}, 1});
    fifo.start_at(Time{}, {0, 1, Bytes{5000}, 1});
    fair.run();
    fifo.run();
    CHECK(fair.done.at(1).delivered == Time::from_ns(39360));
    CHECK(fifo.done.at(1).delivered == Time::from_ns(44720));
    // Both count each link direction busy for W / bandwidth.
    CHECK(fair.model().counters().link_busy == fifo.model().counters().link_busy);
  }
}

TEST_CASE("fair: conservation: bytes sent = bytes received, per node and on every link of every route") {
  // Two leaves of three nodes under a core switch (a 2 GB/s trunk each), default framing, every ordered pair
  // exchanging a message of its own size at staggered times; the same traffic as the FIFO conservation test.
  topo::Topology t;
  t.add_switch("core", sw(1), here);
  for (int l = 0; l < 2; ++l) {
    t.add_switch(name("leaf", l), sw(2, ByteRate{2.5e9}), here);
    t.add_link(name("leaf", l), "core", link(2, 1), here);
  }
  for (int n = 0; n < 6; ++n) {
    t.add_node(name("n", n), pi(), here);
    t.add_link(name("n", n), name("leaf", n / 3), link(1, 1), here);
  }
  t.seal();
  const net::NetworkOptions options{net::NetworkModelKind::fair, Bytes{1448}, Bytes{90}};
  FairHarness h(t, options);
  std::uint64_t tag = 0;
  std::int64_t total = 0;
  std::vector<Bytes> wire(static_cast<std::size_t>(2 * t.link_count()));
  std::vector<Time> busy(wire.size());
  std::vector<topo::DirLinkId> route;
  for (int s = 0; s < 6; ++s) {
    for (int d = 0; d < 6; ++d) {
      if (s == d) continue;
      const Bytes b{1000 + 3737 * s + 1111 * d};
      total += b.count;
      // Expected per direction: the message's wire bytes on every link of its route, busy W / bandwidth.
      t.route(s, d, route, tag);
      for (topo::DirLinkId l : route) {
        wire[static_cast<std::size_t>(l)] += net::wire_bytes(b, options);
        busy[static_cast<std::size_t>(l)] += transfer_time(net::wire_bytes(b, options), t.dir_link_spec(l).bandwidth);
      }
      h.start_at(Time::from_ns(700 * (s + d)), {s, d, b, tag++});
    }
  }
  h.run();
  const auto& c = h.model().counters();
  std::int64_t sent = 0, received = 0;
  for (int n = 0; n < 6; ++n) {
    sent += c.node_payload_sent[static_cast<std::size_t>(n)].count;
    received += c.node_payload_received[static_cast<std::size_t>(n)].count;
    // Node n sent to and received from the five others.
    std::int64_t out = 0, in = 0;
    for (int o = 0; o < 6; ++o) {
      if (o == n) continue;
      out += 1000 + 3737 * n + 1111 * o;
      in += 1000 + 3737 * o + 1111 * n;
    }
    CHECK(c.node_payload_sent[static_cast<std::size_t>(n)] == Bytes{out});
    CHECK(c.node_payload_received[static_cast<std::size_t>(n)] == Bytes{in});
  }
  CHECK(h.done.size() == 30);
  CHECK(c.transfers == 30);
  CHECK(sent == total);
  CHECK(received == total);
  CHECK(c.link_wire_bytes == wire);
  CHECK(c.link_busy == busy);
  CHECK(h.model().in_flight() == 0);
  CHECK(h.model().solver().active_flows() == 0);
  check_parts(h);
}
