// topo::summary (the text `shardsim topo` prints) and topo::write_dot (Graphviz).

#include <catch2/catch.hpp>
#include <sstream>

#include "printing.hpp"

#include "shardsim/topo/dot.hpp"
#include "shardsim/topo/star.hpp"
#include "shardsim/topo/summary.hpp"
#include "shardsim/topo/torus.hpp"
#include "shardsim/topo/tree.hpp"

using namespace shardsim;

namespace {

const SourcePos here{"test.toml", 1, 1};

hw::NodeSpec typed(const char* type) {
  hw::NodeSpec n;
  n.type = type;
  return n;
}

topo::Topology tree_1024(double uplink_bytes_per_s) {
  topo::TreeSpec tree;
  tree.nodes = 1024;
  tree.ports = 48;
  tree.node_prefix = "pi";
  tree.node = typed("pi4-4gb");
  tree.link = hw::LinkSpec{ByteRate{125e6}, Time::from_ns(500)};
  tree.uplink = {hw::LinkSpec{ByteRate{uplink_bytes_per_s}, Time::from_ns(500)}};
  topo::Topology t;
  topo::add_tree(t, tree, here);
  t.seal();
  return t;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("bit rates are printed as network hardware is sold") {
  CHECK(topo::format_bit_rate(ByteRate{125e6}) == "1 Gbit/s");
  CHECK(topo::format_bit_rate(ByteRate{312.5e6}) == "2.5 Gbit/s");
  CHECK(topo::format_bit_rate(ByteRate{14.375e9}) == "115 Gbit/s");
  CHECK(topo::format_bit_rate(ByteRate{2e12}) == "16 Tbit/s");
  CHECK(topo::format_bit_rate(ByteRate{117.647e6}) == "941.176 Mbit/s");
  CHECK(topo::format_bit_rate(ByteRate{100}) == "800 bit/s");
}

TEST_CASE("summary of a tree: counts, the fullest switch, link speeds, diameter and bisection") {
  // 22 leaves of 47 nodes + 1 uplink (leaf0 uses all 48 ports), 1024 node links at 1 Gbit/s and 22 uplinks at
  // 10 Gbit/s; bisection 115 Gbit/s (derived in generators_test.cpp).
  CHECK(topo::summary(tree_1024(1.25e9)) ==
        "  nodes      1024 (1024 pi4-4gb)\n"
        "  switches   23 (most links: leaf0, 48 links on 48 ports)\n"
        "  links      1046 (1024 x 1 Gbit/s, 22 x 10 Gbit/s)\n"
        "  diameter   4 hops\n"
        "  bisection  115 Gbit/s per direction\n");
}

TEST_CASE("summary of mixed node types, direct links, and an unknown bisection") {
  topo::Topology t;
  topo::add_torus(t, topo::TorusSpec{{3, 3}, "n", typed("pi5-8gb"), hw::LinkSpec{ByteRate{312.5e6}, Time{}}}, here);
  t.add_node("desk", typed("desktop"), here);
  t.add_link("desk", "n4", hw::LinkSpec{ByteRate{1.25e9}, Time{}}, here);
  t.seal();
  // 3 x 3 torus: 18 links, diameter 1 + 1; desk hangs off the centre n4, 1 more hop from the farthest node.
  CHECK(topo::summary(t) ==
        "  nodes      10 (9 pi5-8gb, 1 desktop)\n"
        "  switches   0 (nodes joined directly)\n"
        "  links      19 (18 x 2.5 Gbit/s, 1 x 10 Gbit/s)\n"
        "  diameter   3 hops\n"
        "  bisection  unknown\n");
}

TEST_CASE("DOT output names every vertex and has one edge per link") {
  const topo::Topology t = tree_1024(1.25e9);
  std::ostringstream out;
  topo::write_dot(out, t);
  const std::string dot = out.str();
  CHECK(dot.rfind("graph G {\n", 0) == 0);
  CHECK(dot.substr(dot.size() - 2) == "}\n");
  CHECK(occurrences(dot, "--") == static_cast<std::size_t>(t.link_count()));
  for (topo::VertexId v = 0; v < t.vertex_count(); ++v) {
    INFO(t.vertex(v).name);
    CHECK(occurrences(dot, "[label=" + t.vertex(v).name + ",") == 1);
  }
  // Vertex 22 is the core (a box), vertex 23 is pi0 (an ellipse); link 0 joins pi0 (23) to leaf0 (0).
  CHECK_THAT(dot, Catch::Contains("22[label=core, shape=box];"));
  CHECK_THAT(dot, Catch::Contains("23[label=pi0, shape=ellipse];"));
  CHECK_THAT(dot, Catch::Contains("23--0 [label=\"1 Gbit/s\"];"));
  CHECK(occurrences(dot, "[label=\"10 Gbit/s\"]") == 22);
}

TEST_CASE("DOT output quotes names that need it") {
  topo::Topology t;
  t.add_node("rack 1/pi \"a\"", {}, here);
  t.add_node("b", {}, here);
  t.add_link("rack 1/pi \"a\"", "b", hw::LinkSpec{ByteRate{125e6}, Time{}}, here);
  t.seal();
  std::ostringstream out;
  topo::write_dot(out, t);
  CHECK_THAT(out.str(), Catch::Contains("0[label=\"rack 1/pi \\\"a\\\"\", shape=ellipse];"));
}
