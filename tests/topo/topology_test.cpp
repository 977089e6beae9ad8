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
}

TEST_CASE("routing prefers fewer hops, then lower latency, then the link declared first") {
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

TEST_CASE("routing ties go to the earliest declared link, every time") {
  for (int attempt = 0; attempt < 3; ++attempt) {
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
    CHECK(route(t, 0, 1) == std::vector<DirLinkId>{0, 2});
  }
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
