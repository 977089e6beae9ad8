#include <catch2/catch.hpp>

#include "printing.hpp"

#include "shardsim/topo/star.hpp"
#include "shardsim/topo/topology.hpp"

using namespace shardsim;
using topo::DirLinkId;

namespace {
const SourcePos here{"test.toml", 1, 1};
hw::LinkSpec link(double bytes_per_s, std::int64_t latency_ns) {
  return hw::LinkSpec{ByteRate{bytes_per_s}, Time::from_ns(latency_ns)};
}
std::vector<DirLinkId> route(const topo::Topology& t, topo::NodeId a, topo::NodeId b) {
  std::vector<DirLinkId> r;
  t.route(a, b, r);
  return r;
}
}  // namespace

TEST_CASE("star: every route is node -> switch -> node") {
  topo::Topology t;
  topo::StarSpec star;
  star.nodes = 5;
  star.node_prefix = "pi";
  star.switch_spec.forwarding_latency = Time::from_ns(2000);
  star.link = link(125e6, 500);
  topo::add_star(t, star, here);
  t.seal();
  REQUIRE(t.node_count() == 5);
  REQUIRE(t.switch_count() == 1);
  REQUIRE(t.link_count() == 5);
  CHECK(t.node_name(3) == "pi3");
  // Link i joins pi<i> (a) to the switch (b): pi1 -> switch is direction 2*1, switch -> pi4 is 2*4 + 1.
  CHECK(route(t, 1, 4) == std::vector<DirLinkId>{2, 9});
  CHECK(t.dir_link_name(9) == "switch->pi4");
  CHECK(route(t, 2, 2).empty());
  // 0.5 us + 2 us forwarding + 0.5 us.
  CHECK(t.route_latency(1, 4) == Time::from_ns(3000));
  CHECK(t.diameter_hops() == 2);
}

TEST_CASE("routing prefers fewer hops, then lower latency") {
  topo::Topology t;
  const hw::NodeSpec n{};
  t.add_node("a", n, here);
  t.add_node("b", n, here);
  t.add_switch("s1", {}, here);
  t.add_switch("s2", {}, here);
  t.add_switch("s3", {}, here);
  t.add_switch("s4", {}, here);
  // Two-hop paths a-s1-b (latency 10 + 10) and a-s2-b (5 + 5); a three-hop path a-s3-s4-b with latency 1 each.
  t.add_link("a", "s1", link(1e9, 10), here);  // link 0
  t.add_link("s1", "b", link(1e9, 10), here);  // link 1
  t.add_link("a", "s2", link(1e9, 5), here);   // link 2
  t.add_link("s2", "b", link(1e9, 5), here);   // link 3
  t.add_link("a", "s3", link(1e9, 1), here);   // link 4
  t.add_link("s3", "s4", link(1e9, 1), here);  // link 5
  t.add_link("s4", "b", link(1e9, 1), here);   // link 6
  t.seal();
  // Fewest hops (2) wins over the lowest latency (3 hops, 3 ns); among the two-hop paths the faster one.
  CHECK(route(t, 0, 1) == std::vector<DirLinkId>{4, 6});
  CHECK(route(t, 1, 0) == std::vector<DirLinkId>{7, 5});
}

namespace {
// Two nodes joined through two switches in parallel: two equal-cost two-hop paths, a-s1-b (links 0, 1) and
// a-s2-b (links 2, 3).
topo::Topology two_paths() {
  topo::Topology t;
  t.add_node("a", {}, here);
  t.add_node("b", {}, here);
  t.add_switch("s1", {}, here);
  t.add_switch("s2", {}, here);
  t.add_link("a", "s1", link(1e9, 5), here);  // link 0
  t.add_link("s1", "b", link(1e9, 5), here);  // link 1
  t.add_link("a", "s2", link(1e9, 5), here);  // link 2
  t.add_link("s2", "b", link(1e9, 5), here);  // link 3
  t.seal();
  return t;
}
}  // namespace

TEST_CASE("routing ties are spread over the equal-cost paths by the flow, deterministically") {
  const topo::Topology t = two_paths();
  const topo::Topology again = two_paths();
  const std::vector<DirLinkId> via_s1{0, 2};  // a->s1 (2*0), s1->b (2*1)
  const std::vector<DirLinkId> via_s2{4, 6};  // a->s2 (2*2), s2->b (2*3)
  int on_s1 = 0;
  std::vector<DirLinkId> r;
  for (std::uint64_t flow = 0; flow < 1000; ++flow) {
    t.route(0, 1, r, flow);
    INFO("flow " << flow);
    REQUIRE((r == via_s1 || r == via_s2));
    on_s1 += r == via_s1 ? 1 : 0;
    // The same flow gets the same path, every time and in every topology built alike.
    std::vector<DirLinkId> r2;
    t.route(0, 1, r2, flow);
    CHECK(r2 == r);
    again.route(0, 1, r2, flow);
    CHECK(r2 == r);
    // Both paths have the same latency, so route_latency does not depend on the flow.
    CHECK(t.route_latency(0, 1) == Time::from_ns(10));
  }
  // 1000 flows over 2 paths: about 500 each (a binomial's standard deviation is about 16).
  CHECK(on_s1 >= 400);
  CHECK(on_s1 <= 600);
  // The way back is a shortest path too.
  t.route(1, 0, r, 7);
  CHECK((r == std::vector<DirLinkId>{3, 1} || r == std::vector<DirLinkId>{7, 5}));
}

TEST_CASE("forwarding latencies count in the path length, so they break ties") {
  // Two two-hop paths with equal link latencies; s1 forwards in 5 us, s2 in 1 us: always through s2.
  topo::Topology t;
  t.add_node("a", {}, here);
  t.add_node("b", {}, here);
  t.add_switch("s1", hw::SwitchSpec{Time::from_us(5), 0, {}}, here);
  t.add_switch("s2", hw::SwitchSpec{Time::from_us(1), 0, {}}, here);
  t.add_link("a", "s1", link(1e9, 5), here);
  t.add_link("s1", "b", link(1e9, 5), here);
  t.add_link("a", "s2", link(1e9, 5), here);
  t.add_link("s2", "b", link(1e9, 5), here);
  t.seal();
  std::vector<DirLinkId> r;
  for (std::uint64_t flow = 0; flow < 50; ++flow) {
    t.route(0, 1, r, flow);
    CHECK(r == std::vector<DirLinkId>{4, 6});
  }
  CHECK(t.route_latency(0, 1) == Time::from_ns(1010));  // 5 ns + 1 us + 5 ns
}

TEST_CASE("a compute node forwards at its node type's forwarding latency") {
  // a - m - b in a line of nodes: m forwards a's messages to b at 20 us.
  topo::Topology t;
  hw::NodeSpec forwarder;
  forwarder.forwarding_latency = Time::from_us(20);
  t.add_node("a", {}, here);
  t.add_node("m", forwarder, here);
  t.add_node("b", {}, here);
  t.add_link("a", "m", link(1e9, 1000), here);
  t.add_link("m", "b", link(1e9, 1000), here);
  t.seal();
  CHECK(t.forwarding_latency(t.node_vertex(1)) == Time::from_us(20));
  CHECK(t.forwarding_latency(t.node_vertex(0)) == Time{});
  CHECK(route(t, 0, 2) == std::vector<DirLinkId>{0, 2});
  CHECK(t.route_latency(0, 2) == Time::from_us(22));  // 1 us + 20 us + 1 us
  CHECK(t.diameter_hops() == 2);
}

TEST_CASE("a switch with more links than ports is an input error naming the switch") {
  topo::Topology t;
  t.add_switch("sw", hw::SwitchSpec{Time{}, 2, {}}, SourcePos{"c.toml", 4, 1});
  t.add_node("a", {}, here);
  t.add_node("b", {}, here);
  t.add_node("c", {}, here);
  t.add_link("a", "sw", link(1e9, 1), SourcePos{"c.toml", 7, 1});
  t.add_link("b", "sw", link(1e9, 1), SourcePos{"c.toml", 8, 1});
  t.add_link("c", "sw", link(1e9, 1), SourcePos{"c.toml", 9, 1});
  CHECK_THROWS_WITH(t.seal(), "c.toml:4:1: switch 'sw' has 3 links but only 2 ports (link 3, c - sw declared at "
                              "c.toml:9:1, has no port left)");
}

TEST_CASE("a switch with exactly as many links as ports, or unbounded ports, is fine") {
  topo::Topology t;
  topo::StarSpec star;
  star.nodes = 8;
  star.switch_spec.ports = 8;
  star.link = link(125e6, 500);
  topo::add_star(t, star, here);
  CHECK_NOTHROW(t.seal());
  CHECK(t.degree(0) == 8);  // the switch
  CHECK(t.degree(1) == 1);  // node0
}

TEST_CASE("the bisection bandwidth is known only while the generator's graph is whole") {
  topo::Topology t;
  topo::StarSpec star;
  star.nodes = 5;
  star.link = link(125e6, 500);
  topo::add_star(t, star, here);
  // 5 nodes: 2 on one side without the switch, 2 links cut.
  REQUIRE(t.bisection_bandwidth().has_value());
  CHECK(t.bisection_bandwidth()->per_second == 250e6);
  t.add_node("extra", {}, here);
  CHECK_FALSE(t.bisection_bandwidth().has_value());
  // A generator run on a topology that already has vertices does not record one.
  topo::Topology u;
  u.add_switch("core", {}, here);
  topo::add_star(u, star, here);
  CHECK_FALSE(u.bisection_bandwidth().has_value());
}

TEST_CASE("a node that cannot reach another is an input error naming both") {
  topo::Topology t;
  t.add_node("a", {}, SourcePos{"c.toml", 3, 1});
  t.add_node("b", {}, SourcePos{"c.toml", 7, 1});
  t.add_switch("s", {}, here);
  t.add_link("a", "s", link(1e9, 1), here);
  try {
    t.seal();
    FAIL("seal() accepted a disconnected topology");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "c.toml:7:1: node 'b' cannot be reached from node 'a': no path of links joins them");
  }
}

TEST_CASE("building errors name the declaration") {
  topo::Topology t;
  t.add_node("a", {}, SourcePos{"c.toml", 2, 1});
  CHECK_THROWS_WITH(t.add_switch("a", {}, SourcePos{"c.toml", 5, 1}),
                    "c.toml:5:1: duplicate name 'a' (first declared at c.toml:2:1)");
  CHECK_THROWS_WITH(t.add_link("a", "zz", link(1e9, 1), SourcePos{"c.toml", 9, 1}),
                    "c.toml:9:1: link end 'zz' is not a declared node or switch");
  CHECK_THROWS_WITH(t.add_link("a", "a", link(1e9, 1), SourcePos{"c.toml", 9, 1}),
                    "c.toml:9:1: link joins 'a' to itself");
  t.add_node("b", {}, here);
  CHECK_THROWS_WITH(t.add_link("a", "b", link(0, 1), SourcePos{"c.toml", 11, 1}),
                    "c.toml:11:1: link bandwidth must be positive");
}

namespace {
// Hop distances from `from` by breadth-first search over the links, independent of seal().
std::vector<int> bfs(const topo::Topology& t, topo::VertexId from) {
  std::vector<int> hops(static_cast<std::size_t>(t.vertex_count()), -1);
  std::vector<topo::VertexId> queue{from};
  hops[static_cast<std::size_t>(from)] = 0;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const topo::VertexId v = queue[i];
    for (topo::LinkId l = 0; l < t.link_count(); ++l) {
      const topo::VertexId other = t.link(l).a == v ? t.link(l).b : t.link(l).b == v ? t.link(l).a : -1;
      if (other >= 0 && hops[static_cast<std::size_t>(other)] < 0) {
        hops[static_cast<std::size_t>(other)] = hops[static_cast<std::size_t>(v)] + 1;
        queue.push_back(other);
      }
    }
  }
  return hops;
}
}  // namespace

TEST_CASE("every route is a chain of links from src to dst, as short as breadth-first search says") {
  // Equal latencies everywhere, so the shortest paths are those with fewest hops. A star and a leaf node joined
  // to a ring node through a switch: leaf nodes route from their switch, ring nodes from themselves.
  topo::Topology t;
  topo::StarSpec star;
  star.nodes = 3;
  star.link = link(1e9, 5);
  topo::add_star(t, star, here);
  const std::vector<std::string> ring{"r0", "r1", "r2", "r3", "r4"};
  for (const std::string& name : ring) t.add_node(name, {}, here);
  for (std::size_t i = 0; i < ring.size(); ++i) t.add_link(ring[i], ring[(i + 1) % ring.size()], link(1e9, 5), here);
  t.add_link("switch", "r0", link(1e9, 5), here);
  t.add_node("lonely", {}, here);
  t.add_switch("s2", {}, here);
  t.add_link("lonely", "s2", link(1e9, 5), here);
  t.add_link("s2", "r2", link(1e9, 5), here);
  t.add_link("s2", "r3", link(1e9, 5), here);
  t.seal();
  int diameter = 0;
  for (topo::NodeId src = 0; src < t.node_count(); ++src) {
    const std::vector<int> hops = bfs(t, t.node_vertex(src));
    for (topo::NodeId dst = 0; dst < t.node_count(); ++dst) {
      const int expected = hops[static_cast<std::size_t>(t.node_vertex(dst))];
      diameter = std::max(diameter, expected);
      for (std::uint64_t flow = 0; flow < 8; ++flow) {
        std::vector<DirLinkId> r;
        t.route(src, dst, r, flow);
        INFO(t.node_name(src) << " -> " << t.node_name(dst) << ", flow " << flow);
        REQUIRE(static_cast<int>(r.size()) == expected);
        topo::VertexId at = t.node_vertex(src);
        for (DirLinkId d : r) {
          REQUIRE(t.dir_link_tail(d) == at);
          at = t.dir_link_head(d);
        }
        CHECK(at == t.node_vertex(dst));
      }
    }
  }
  // node0 -> lonely: node0 - switch - r0 - r4 - r3 - s2 - lonely (or through r1, r2): 6 hops.
  CHECK(diameter == 6);
  CHECK(t.diameter_hops() == diameter);
}
