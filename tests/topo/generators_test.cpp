// The topology generators (tree, fat_tree, ring, torus, mesh, full_mesh): vertex and link counts, names, routes,
// diameters and bisection bandwidths, each derived by hand in the comments; equal-cost paths spread by flow; and
// the bisection figures checked against brute force on small instances.

#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <map>

#include "printing.hpp"

#include "shardsim/topo/fat_tree.hpp"
#include "shardsim/topo/full_mesh.hpp"
#include "shardsim/topo/mesh.hpp"
#include "shardsim/topo/parameter_error.hpp"
#include "shardsim/topo/ring.hpp"
#include "shardsim/topo/star.hpp"
#include "shardsim/topo/torus.hpp"
#include "shardsim/topo/tree.hpp"

using namespace shardsim;
using topo::DirLinkId;
using Path = std::vector<DirLinkId>;

namespace {

const SourcePos here{"test.toml", 3, 1};
constexpr double kGbit = 125e6;  // 1 Gbit/s in bytes per second

hw::LinkSpec link(double bytes_per_s, std::int64_t latency_ns = 500) {
  return hw::LinkSpec{ByteRate{bytes_per_s}, Time::from_ns(latency_ns)};
}

Path route(const topo::Topology& t, topo::NodeId a, topo::NodeId b, std::uint64_t flow = 0) {
  Path r;
  t.route(a, b, r, flow);
  return r;
}

// Every distinct path `flows` flows take from a to b, with how many took each.
std::map<Path, int> spread(const topo::Topology& t, topo::NodeId a, topo::NodeId b, int flows) {
  std::map<Path, int> paths;
  for (int f = 0; f < flows; ++f) ++paths[route(t, a, b, static_cast<std::uint64_t>(f))];
  return paths;
}

// Brute force: the least bandwidth cut by any assignment of every vertex to side A or B that puts exactly
// floor(nodes / 2) compute nodes on side B. Exponential: at most 20 vertices.
double brute_bisection(const topo::Topology& t) {
  const int v = t.vertex_count();
  REQUIRE(v <= 20);
  std::vector<bool> is_node(static_cast<std::size_t>(v), false);
  for (topo::NodeId n = 0; n < t.node_count(); ++n) is_node[static_cast<std::size_t>(t.node_vertex(n))] = true;
  double best = std::numeric_limits<double>::infinity();
  for (std::uint32_t side = 0; side < (1u << v); ++side) {
    int on_b = 0;
    for (int i = 0; i < v; ++i) on_b += is_node[static_cast<std::size_t>(i)] && (side >> i & 1u) ? 1 : 0;
    if (on_b != t.node_count() / 2) continue;
    double cut = 0;
    for (topo::LinkId l = 0; l < t.link_count(); ++l) {
      if ((side >> t.link(l).a & 1u) != (side >> t.link(l).b & 1u)) cut += t.link(l).spec.bandwidth.per_second;
    }
    best = std::min(best, cut);
  }
  return best;
}

topo::TreeSpec tree_spec(int nodes, int ports, int uplinks, int levels, double uplink_bandwidth) {
  topo::TreeSpec tree;
  tree.nodes = nodes;
  tree.ports = ports;
  tree.uplinks = uplinks;
  tree.levels = levels;
  tree.node_prefix = "pi";
  tree.link = link(kGbit);
  tree.uplink = {link(uplink_bandwidth)};
  return tree;
}

topo::Topology sealed_tree(const topo::TreeSpec& spec) {
  topo::Topology t;
  topo::add_tree(t, spec, here);
  t.seal();
  return t;
}

}  // namespace

// ---- tree ---------------------------------------------------------------------------------------------------

TEST_CASE("tree: 1024 nodes on 48-port leaves with one uplink each") {
  // 48 - 1 = 47 nodes per leaf: ceil(1024 / 47) = 22 leaves (21 full, the last with 1024 - 21 * 47 = 37), one core
  // with 22 of its 48 ports used. Vertices: leaf0..leaf21 (0..21), core (22), then pi0..pi1023.
  const topo::Topology t = sealed_tree(tree_spec(1024, 48, 1, 2, kGbit));
  CHECK(t.node_count() == 1024);
  CHECK(t.switch_count() == 23);
  CHECK(t.link_count() == 1024 + 22);
  CHECK(t.vertex(0).name == "leaf0");
  CHECK(t.vertex(21).name == "leaf21");
  CHECK(t.vertex(22).name == "core");
  CHECK(t.node_name(1023) == "pi1023");
  CHECK(t.degree(22) == 22);
  CHECK(t.degree(21) == 37 + 1);
  // Link i joins pi<i> to its leaf; link 1024 + j joins leaf j to the core.
  CHECK(t.vertex(t.link(46).b).name == "leaf0");
  CHECK(t.vertex(t.link(47).b).name == "leaf1");
  CHECK(t.vertex(t.link(1024 + 5).a).name == "leaf5");
  // Same leaf: pi0 -> leaf0 (2*0) -> pi46 (2*46 + 1).
  CHECK(route(t, 0, 46) == Path{0, 93});
  // Across the core: pi46 -> leaf0 (92), leaf0 -> core (2*1024), core -> leaf1 (2*1025 + 1), leaf1 -> pi47 (95).
  CHECK(route(t, 46, 47) == Path{92, 2048, 2051, 95});
  // pi1023 is on leaf21 (1023 / 47 = 21).
  CHECK(route(t, 0, 1023) == Path{0, 2048, 2 * 1045 + 1, 2 * 1023 + 1});
  CHECK(t.diameter_hops() == 4);
  // Bisection (512 nodes on side B, the core on side A): 10 full leaves (470) and the last (37) cut 11 uplinks,
  // and 5 more nodes cut their own links: 16 links of 1 Gbit/s. Eleven full leaves (517) less 5 nodes costs the
  // same; any other choice cuts more node links.
  REQUIRE(t.bisection_bandwidth().has_value());
  CHECK(t.bisection_bandwidth()->per_second == Approx(16 * kGbit));
}

TEST_CASE("tree: the same with 10 Gbit/s uplinks") {
  // As above, but each leaf's uplink is worth 10 node links: 11 uplinks and 5 node links = 115 Gbit/s (cutting
  // 10 leaves and 42 nodes costs 142, 12 leaves less 42 nodes 162).
  const topo::Topology t = sealed_tree(tree_spec(1024, 48, 1, 2, 10 * kGbit));
  CHECK(t.link_count() == 1046);
  CHECK(t.link(1024).spec.bandwidth.per_second == 10 * kGbit);
  REQUIRE(t.bisection_bandwidth().has_value());
  CHECK(t.bisection_bandwidth()->per_second == Approx(115 * kGbit));
}

TEST_CASE("tree: three levels") {
  // 20 nodes, 4-port switches, one uplink: 3 nodes per leaf -> 7 leaves (the last with 2); 3 leaves per
  // aggregation switch -> 3 aggregation switches (agg2 with leaf6 only); one core with 3 links.
  topo::TreeSpec spec = tree_spec(20, 4, 1, 3, kGbit);
  spec.uplink = {link(10 * kGbit), link(40 * kGbit)};
  CHECK(topo::tree_level_sizes(spec, here) == std::vector<int>{7, 3, 1});
  const topo::Topology t = sealed_tree(spec);
  CHECK(t.node_count() == 20);
  CHECK(t.switch_count() == 11);
  CHECK(t.link_count() == 20 + 7 + 3);
  // Vertices: leaf0..leaf6 (0..6), agg0..agg2 (7..9), core (10).
  CHECK(t.vertex(7).name == "agg0");
  CHECK(t.vertex(10).name == "core");
  // Links 20..26: leaf j -> agg j / 3 at 10 Gbit/s; 27..29: agg j -> core at 40 Gbit/s.
  CHECK(t.vertex(t.link(26).a).name == "leaf6");
  CHECK(t.vertex(t.link(26).b).name == "agg2");
  CHECK(t.link(26).spec.bandwidth.per_second == 10 * kGbit);
  CHECK(t.link(29).spec.bandwidth.per_second == 40 * kGbit);
  // pi0 (leaf0, agg0) -> pi19 (leaf6, agg2): up three levels, down three.
  CHECK(route(t, 0, 19) == Path{0, 2 * 20, 2 * 27, 2 * 29 + 1, 2 * 26 + 1, 2 * 19 + 1});
  CHECK(t.diameter_hops() == 6);
  // Bisection, 10 nodes on side B: cutting 10 node links (10 Gbit/s) beats cutting agg0 off (40, 9 nodes) plus a
  // node (1), and anything with leaf uplinks (10 each for 3 nodes).
  REQUIRE(t.bisection_bandwidth().has_value());
  CHECK(t.bisection_bandwidth()->per_second == Approx(10 * kGbit));
}

TEST_CASE("tree: four levels name their aggregation switches by level") {
  // 10 nodes on 3-port switches: 2 per leaf -> 5 leaves; 2 children per aggregation switch -> 3 at level 1, 2 at
  // level 2; the core takes those 2.
  const topo::TreeSpec spec = tree_spec(10, 3, 1, 4, kGbit);
  CHECK(topo::tree_level_sizes(spec, here) == std::vector<int>{5, 3, 2, 1});
  const topo::Topology t = sealed_tree(spec);
  CHECK(t.switch_count() == 11);
  CHECK(t.find("agg1-2") != nullptr);
  CHECK(t.find("agg2-1") != nullptr);
  CHECK(t.link_count() == 10 + 5 + 3 + 2);
  CHECK(t.diameter_hops() == 8);
}

TEST_CASE("tree: parallel uplinks are equal-cost paths") {
  // 4 nodes, 4-port leaves with 2 uplinks: 2 nodes per leaf, 2 leaves, each joined to the core by 2 links
  // (leaf0: links 4, 5; leaf1: links 6, 7). pi0 -> pi2 has 2 x 2 = 4 paths.
  const topo::Topology t = sealed_tree(tree_spec(4, 4, 2, 2, kGbit));
  CHECK(t.link_count() == 4 + 4);
  const auto paths = spread(t, 0, 2, 1000);
  CHECK(paths.size() == 4);
  for (const auto& [path, flows] : paths) {
    CHECK(path.size() == 4);
    CHECK(flows >= 200);  // 250 expected
    CHECK(flows <= 300);
  }
  CHECK(paths.count(Path{0, 8, 13, 5}) == 1);   // leaf0 -> core by link 4, core -> leaf1 by link 6
  CHECK(paths.count(Path{0, 10, 15, 5}) == 1);  // by links 5 and 7
}

TEST_CASE("tree: bisection matches brute force on small trees") {
  struct Case {
    int nodes, ports, uplinks, levels;
    double node_bw, leaf_up, agg_up;
  };
  // Node counts, port counts and bandwidths chosen so that different cuts win.
  for (const Case c : {Case{5, 3, 1, 2, 1, 1, 1}, Case{6, 3, 1, 2, 1, 5, 5}, Case{9, 4, 1, 2, 1, 2, 2},
                       Case{10, 3, 1, 3, 1, 3, 5}, Case{10, 3, 1, 3, 1, 1, 9}, Case{4, 4, 2, 2, 1, 0.25, 0.25}}) {
    topo::TreeSpec spec = tree_spec(c.nodes, c.ports, c.uplinks, c.levels, 1);
    spec.link = link(c.node_bw);
    spec.uplink = c.levels == 2 ? std::vector<hw::LinkSpec>{link(c.leaf_up)}
                                : std::vector<hw::LinkSpec>{link(c.leaf_up), link(c.agg_up)};
    topo::Topology t;
    topo::add_tree(t, spec, here);
    INFO("nodes " << c.nodes << ", ports " << c.ports << ", levels " << c.levels << ", uplinks " << c.leaf_up
                  << " / " << c.agg_up);
    REQUIRE(t.bisection_bandwidth().has_value());
    CHECK(t.bisection_bandwidth()->per_second == Approx(brute_bisection(t)));
  }
}

TEST_CASE("tree: parameters that build no tree are errors naming the parameter") {
  auto key_of = [](const topo::TreeSpec& spec) {
    try {
      topo::Topology t;
      topo::add_tree(t, spec, here);
    } catch (const topo::ParameterError& e) {
      CHECK(e.pos().line == 3);
      return e.key() + ": " + e.detail();
    }
    return std::string("no error");
  };
  CHECK(key_of(tree_spec(10, 1, 1, 2, kGbit)) == "ports: must be at least 2, got 1");
  CHECK(key_of(tree_spec(0, 8, 1, 2, kGbit)) == "nodes: must be between 1 and 1000000, got 0");
  CHECK(key_of(tree_spec(10, 8, 8, 2, kGbit)).rfind("uplinks: must be between 1 and ports - 1 = 7", 0) == 0);
  CHECK(key_of(tree_spec(10, 8, 1, 1, kGbit)).rfind("levels: must be between 2", 0) == 0);
  CHECK(key_of(tree_spec(10, 6, 4, 3, kGbit)).rfind("uplinks: an aggregation switch needs 4 ports up", 0) == 0);
  // 1024 nodes on 8-port leaves: 147 leaves, more than the core's 8 ports.
  CHECK(key_of(tree_spec(1024, 8, 1, 2, kGbit)) ==
        "levels: the core switch would join 147 switches with 147 links but has 8 ports: use more levels, more "
        "ports or a larger core_ports");
  topo::TreeSpec big_core = tree_spec(1024, 8, 1, 2, kGbit);
  big_core.core_ports = 147;
  CHECK(key_of(big_core) == "no error");
  big_core.core_ports = 146;
  CHECK(key_of(big_core).rfind("core_ports: ", 0) == 0);
  topo::TreeSpec uplinks = tree_spec(10, 8, 1, 2, kGbit);
  uplinks.uplink = {link(kGbit), link(kGbit), link(kGbit)};
  CHECK(key_of(uplinks).rfind("uplink_bandwidth: expected one bandwidth, or one per level", 0) == 0);
}

// ---- fat_tree -----------------------------------------------------------------------------------------------

namespace {
topo::Topology fat_tree(int k, int nodes = 0) {
  topo::FatTreeSpec spec;
  spec.k = k;
  spec.nodes = nodes;
  spec.node_prefix = "h";
  spec.link = link(kGbit);
  spec.uplink = link(kGbit);
  topo::Topology t;
  topo::add_fat_tree(t, spec, here);
  t.seal();
  return t;
}
}  // namespace

TEST_CASE("fat_tree: k = 4") {
  // 4 pods of 2 edge + 2 aggregation switches, 2 x 2 = 4 cores: 20 switches; 4^3 / 4 = 16 hosts; links: 16 host
  // links, 4 pods x 2 x 2 edge-aggregation, 4 pods x 2 aggregations x 2 cores = 16 + 16 + 16 = 48.
  const topo::Topology t = fat_tree(4);
  CHECK(t.node_count() == 16);
  CHECK(t.switch_count() == 20);
  CHECK(t.link_count() == 48);
  // Vertices: core0-0, core0-1, core1-0, core1-1 (0..3); pod p: agg p-0, agg p-1, edge p-0, edge p-1 (4 + 4p ..).
  CHECK(t.vertex(2).name == "core1-0");
  CHECK(t.vertex(4).name == "agg0-0");
  CHECK(t.vertex(7).name == "edge0-1");
  CHECK(t.vertex(19).name == "edge3-1");
  CHECK(t.node_name(15) == "h15");
  for (topo::VertexId v = 0; v < 20; ++v) CHECK(t.degree(v) == 4);  // every port of every switch used
  // Links: host i to edge i / 2 (link i); edge p-i to agg p-j: 16 + 4p + 2i + j; agg p-j to core j-m:
  // 32 + 4p + 2j + m.
  CHECK(t.vertex(t.link(5).b).name == "edge1-0");
  CHECK(t.vertex(t.link(16 + 4 * 2 + 2 * 1 + 0).a).name == "edge2-1");
  CHECK(t.vertex(t.link(32 + 4 * 3 + 2 * 1 + 1).b).name == "core1-1");
  // Same edge switch: one path, h0 -> edge0-0 -> h1.
  CHECK(spread(t, 0, 1, 100) == std::map<Path, int>{{Path{0, 3}, 100}});
  // Same pod, other edge: through either aggregation switch, edge0-0 -> agg0-j (link 16 + j) and agg0-j ->
  // edge0-1 (link 18 + j, backwards).
  const auto in_pod = spread(t, 0, 2, 1000);
  CHECK(in_pod.size() == 2);
  CHECK(in_pod.count(Path{0, 32, 37, 5}) == 1);
  CHECK(in_pod.count(Path{0, 34, 39, 5}) == 1);
  // Another pod: 2 aggregations x 2 cores = 4 paths of 6 hops, about 250 flows each.
  const auto across = spread(t, 0, 15, 1000);
  CHECK(across.size() == 4);
  for (const auto& [path, flows] : across) {
    CHECK(path.size() == 6);
    CHECK(path.front() == 0);
    CHECK(path.back() == 2 * 15 + 1);
    CHECK(flows >= 200);
    CHECK(flows <= 300);
  }
  CHECK(t.diameter_hops() == 6);
  // Full bisection: 8 host links of 1 Gbit/s.
  REQUIRE(t.bisection_bandwidth().has_value());
  CHECK(t.bisection_bandwidth()->per_second == Approx(8 * kGbit));
}

TEST_CASE("fat_tree: fewer hosts fill the edge switches in order") {
  // 5 hosts on k = 4: h0, h1 on edge0-0, h2, h3 on edge0-1, h4 on edge1-0; the fabric is whole (20 switches,
  // 32 switch links).
  const topo::Topology t = fat_tree(4, 5);
  CHECK(t.node_count() == 5);
  CHECK(t.switch_count() == 20);
  CHECK(t.link_count() == 5 + 32);
  CHECK(t.vertex(t.link(4).b).name == "edge1-0");
  CHECK(t.bisection_bandwidth()->per_second == Approx(2 * kGbit));
  CHECK(t.diameter_hops() == 6);
}

TEST_CASE("fat_tree: k = 8 has 128 hosts, 80 switches and 16 paths between pods") {
  const topo::Topology t = fat_tree(8);
  CHECK(t.node_count() == 128);
  CHECK(t.switch_count() == 80);           // 8 pods x 8 + 16 cores
  CHECK(t.link_count() == 128 + 128 + 128);  // hosts, 8 x 4 x 4 edge-aggregation, 8 x 4 x 4 aggregation-core
  CHECK(spread(t, 0, 127, 4000).size() == 16);
  CHECK(t.bisection_bandwidth()->per_second == Approx(64 * kGbit));
}

TEST_CASE("fat_tree: k must be even, hosts at most k^3/4") {
  topo::FatTreeSpec spec;
  spec.link = spec.uplink = link(kGbit);
  topo::Topology t;
  spec.k = 5;
  CHECK_THROWS_WITH(topo::add_fat_tree(t, spec, here), "test.toml:3:1: k: must be an even number from 2 to 64, got 5");
  spec.k = 4;
  spec.nodes = 17;
  CHECK_THROWS_WITH(topo::add_fat_tree(t, spec, here),
                    "test.toml:3:1: nodes: must be between 1 and k^3/4 = 16, got 17");
}

// ---- ring, torus, mesh, full mesh ---------------------------------------------------------------------------

namespace {
template <class Spec, class Add>
topo::Topology direct(Spec spec, Add add, double bandwidth = kGbit) {
  spec.link = link(bandwidth, 1000);
  topo::Topology t;
  add(t, spec, here);
  t.seal();
  return t;
}
topo::Topology ring(int nodes) { return direct(topo::RingSpec{nodes, "n", {}, {}}, topo::add_ring); }
topo::Topology torus(std::vector<int> dims) { return direct(topo::TorusSpec{dims, "n", {}, {}}, topo::add_torus); }
topo::Topology mesh(std::vector<int> dims) { return direct(topo::MeshSpec{dims, "n", {}, {}}, topo::add_mesh); }
}  // namespace

TEST_CASE("ring: 8 nodes") {
  const topo::Topology t = ring(8);
  CHECK(t.node_count() == 8);
  CHECK(t.switch_count() == 0);
  CHECK(t.link_count() == 8);  // n0-n1, ..., n6-n7, n7-n0
  CHECK(t.vertex(t.link(7).a).name == "n7");
  CHECK(t.vertex(t.link(7).b).name == "n0");
  CHECK(t.diameter_hops() == 4);
  CHECK(route(t, 0, 2) == Path{0, 2});     // n0 -> n1 -> n2
  CHECK(route(t, 0, 7) == Path{15});       // the wrap-around link, backwards
  CHECK(spread(t, 0, 4, 1000).size() == 2);  // both ways round are 4 hops
  CHECK(t.bisection_bandwidth()->per_second == Approx(2 * kGbit));
}

TEST_CASE("ring: odd and tiny rings") {
  const topo::Topology seven = ring(7);
  CHECK(seven.link_count() == 7);
  CHECK(seven.diameter_hops() == 3);
  CHECK(seven.bisection_bandwidth()->per_second == Approx(brute_bisection(seven)));
  CHECK(seven.bisection_bandwidth()->per_second == Approx(2 * kGbit));
  const topo::Topology two = ring(2);
  CHECK(two.link_count() == 1);
  CHECK(two.bisection_bandwidth()->per_second == Approx(kGbit));
  topo::Topology t;
  CHECK_THROWS_WITH(topo::add_ring(t, topo::RingSpec{1, "n", {}, link(kGbit)}, here),
                    "test.toml:3:1: nodes: must be between 2 and 1000000, got 1");
}

TEST_CASE("torus: 4 x 4") {
  // Node i at (i / 4, i % 4). Each node adds its dimension-0 link (to i + 4, wrapping) then its dimension-1 link
  // (to i + 1, wrapping): 16 x 2 = 32 links; node i's links are 2i and 2i + 1.
  const topo::Topology t = torus({4, 4});
  CHECK(t.node_count() == 16);
  CHECK(t.switch_count() == 0);
  CHECK(t.link_count() == 32);
  for (topo::NodeId n = 0; n < 16; ++n) CHECK(t.degree(t.node_vertex(n)) == 4);
  CHECK(t.vertex(t.link(7).a).name == "n3");  // n3 = (0, 3) wraps to n0 = (0, 0)
  CHECK(t.vertex(t.link(7).b).name == "n0");
  CHECK(t.vertex(t.link(24).b).name == "n0");  // n12 = (3, 0) wraps to n0 along dimension 0
  CHECK(route(t, 3, 0) == Path{14});
  // Diameter: 2 + 2 hops.
  CHECK(t.diameter_hops() == 4);
  // n0 -> n5 = (1, 1): via n1 (links 1, 2) or via n4 (links 0, 9).
  const auto two_ways = spread(t, 0, 5, 1000);
  CHECK(two_ways.size() == 2);
  CHECK(two_ways.count(Path{2, 4}) == 1);
  CHECK(two_ways.count(Path{0, 18}) == 1);
  for (const auto& [path, flows] : two_ways) {
    CHECK(flows >= 400);
    CHECK(flows <= 600);
  }
  // n0 -> n10 = (2, 2): 2 hops either way round in each dimension (2 x 2) in any of C(4, 2) = 6 orders: 24 paths.
  CHECK(spread(t, 0, 10, 20000).size() == 24);
  // Bisection: a cut across dimension 0 crosses 4 lines of 2 links each: 8 links.
  CHECK(t.bisection_bandwidth()->per_second == Approx(8 * kGbit));
  CHECK(brute_bisection(t) == Approx(8 * kGbit));
}

TEST_CASE("torus: 3D and small dimensions") {
  const topo::Topology cube = torus({4, 4, 4});
  CHECK(cube.node_count() == 64);
  CHECK(cube.link_count() == 192);  // 64 nodes x 3 dimensions
  CHECK(cube.diameter_hops() == 6);
  CHECK(cube.bisection_bandwidth()->per_second == Approx(32 * kGbit));  // 16 lines x 2
  // A dimension of 2 has one link per pair: 4 x 2 gives 8 links along dimension 0 and 4 along dimension 1 (the
  // cube graph Q3).
  const topo::Topology q3 = torus({4, 2});
  CHECK(q3.link_count() == 12);
  CHECK(q3.diameter_hops() == 3);
  CHECK(q3.bisection_bandwidth()->per_second == Approx(brute_bisection(q3)));
  // The largest dimension odd: no formula, unknown.
  CHECK_FALSE(torus({3, 3}).bisection_bandwidth().has_value());
  topo::Topology t;
  CHECK_THROWS_WITH(topo::add_torus(t, topo::TorusSpec{{8}, "n", {}, link(kGbit)}, here),
                    "test.toml:3:1: dims: expected 2 or 3 sizes ([4, 4] or [4, 4, 4]), got 1");
  CHECK_THROWS_WITH(topo::add_torus(t, topo::TorusSpec{{4, 1}, "n", {}, link(kGbit)}, here),
                    "test.toml:3:1: dims: every size must be at least 2, got 1 for dimension 1");
}

TEST_CASE("mesh: no wrap-around") {
  // 4 x 4: 4 lines of 3 links per dimension = 24 links; corner to corner 3 + 3 hops; a cut across the middle
  // crosses 4 links.
  const topo::Topology t = mesh({4, 4});
  CHECK(t.link_count() == 24);
  CHECK(t.diameter_hops() == 6);
  CHECK(t.bisection_bandwidth()->per_second == Approx(4 * kGbit));
  CHECK(route(t, 0, 1) == Path{1 * 2});  // n0's links: 0 (to n4), 1 (to n1)
  // 4 x 3: 12 nodes, 3 x 3 + 4 x 2 = 17 links; brute force agrees with the 3 links of the formula.
  const topo::Topology small = mesh({4, 3});
  CHECK(small.link_count() == 17);
  CHECK(small.bisection_bandwidth()->per_second == Approx(3 * kGbit));
  CHECK(brute_bisection(small) == Approx(3 * kGbit));
  // 3 x 3 x 3: 3 dimensions x 9 lines x 2 links = 54; diameter 2 + 2 + 2.
  const topo::Topology cube = mesh({3, 3, 3});
  CHECK(cube.link_count() == 54);
  CHECK(cube.diameter_hops() == 6);
  CHECK_FALSE(cube.bisection_bandwidth().has_value());
}

TEST_CASE("full_mesh: every pair joined directly") {
  const topo::Topology t = direct(topo::FullMeshSpec{6, "n", {}, {}}, topo::add_full_mesh);
  CHECK(t.link_count() == 15);  // 6 x 5 / 2
  CHECK(t.diameter_hops() == 1);
  // Links in order (0,1), (0,2), .., (0,5), (1,2), ..: (1, 3) is link 5 + 1 = 6.
  CHECK(route(t, 1, 3) == Path{12});
  CHECK(route(t, 3, 1) == Path{13});
  // 3 x 3 links cross a balanced cut.
  CHECK(t.bisection_bandwidth()->per_second == Approx(9 * kGbit));
  CHECK(brute_bisection(t) == Approx(9 * kGbit));
  topo::Topology big;
  CHECK_THROWS_WITH(topo::add_full_mesh(big, topo::FullMeshSpec{257, "n", {}, link(kGbit)}, here),
                    "test.toml:3:1: nodes: must be between 2 and 256, got 257");
}

TEST_CASE("generators can be mixed, the bisection is then unknown") {
  topo::Topology t;
  topo::add_ring(t, topo::RingSpec{4, "r", {}, link(kGbit)}, here);
  topo::add_full_mesh(t, topo::FullMeshSpec{3, "m", {}, link(kGbit)}, here);
  t.add_link("r0", "m0", link(kGbit), here);
  t.seal();
  CHECK(t.node_count() == 7);
  CHECK(t.link_count() == 4 + 3 + 1);
  CHECK_FALSE(t.bisection_bandwidth().has_value());
  // r2 -> m1: r2 -> r1 or r3 -> r0 -> m0 -> m1 (4 hops, two ways).
  CHECK(t.diameter_hops() == 4);
  // Names collide between generators: an error at the second generator.
  topo::Topology u;
  topo::add_ring(u, topo::RingSpec{4, "n", {}, link(kGbit)}, here);
  CHECK_THROWS_WITH(topo::add_ring(u, topo::RingSpec{4, "n", {}, link(kGbit)}, SourcePos{"t.toml", 9, 1}),
                    "t.toml:9:1: duplicate name 'n0' (first declared at test.toml:3:1)");
}

TEST_CASE("routing a 1024-node fat-tree and tree stays cheap") {
  // k = 16: 1024 hosts, 320 switches, 3072 links; every pair routes, and the route of a flow never changes.
  const topo::Topology t = fat_tree(16);
  CHECK(t.node_count() == 1024);
  CHECK(t.switch_count() == 320);
  CHECK(t.diameter_hops() == 6);
  CHECK(route(t, 3, 1000, 42) == route(t, 3, 1000, 42));
  CHECK(spread(t, 0, 1023, 2000).size() == 64);  // (k/2)^2 paths between pods
}
