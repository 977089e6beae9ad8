// Topology files: node types (own and included), switches, nodes, links and the generators ([[star]], [[tree]],
// [[fat_tree]], [[ring]], [[torus]], [[mesh]], [[full_mesh]]), read into a sealed topo::Topology; every kind of bad
// input, each reported as an InputError at the exact file:line:column of the offending value (or of its table, for
// a missing key or a bad entry); and every preset in topologies/, with the shape its comments claim.
//
// Files are written into a fresh temporary folder per test. Line and column numbers are counted by hand from the
// literals (each literal's first line is line 1; columns are 1-based): `key = value` puts the value at column
// len(key) + 4, and TOML++ places a table at the '[' of its header.

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "printing.hpp"
#include "temp_dir.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/util/error.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using shardsim::InputError;
using shardsim::Time;
using shardsim::scenario::load_topology;

namespace {

using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;



// Node types shared by the tests below, included as "types.toml".
constexpr std::string_view kTypes = R"(# line 1
[node_types.pi4-4gb]
ram = "4 GB"
memory_bandwidth = "3.3 GB/s"
flop_rate = "11.8 GFLOP/s"
op_overhead = "5 us"
send_overhead = "50 us"
recv_overhead = "50 us"
storage_bandwidth = "46 MB/s"

[node_types.pi5-8gb]
ram = "8 GiB"
memory_bandwidth = "10.5 GB/s"
flop_rate = "35 GFLOP/s"
)";

}  // namespace

// ---- valid files --------------------------------------------------------------------------------------------

TEST_CASE("a topology with explicit switches, nodes and links, a star and included node types") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("mixed.toml", R"(include = ["types.toml"]

[node_types.desktop]
ram = "64 GiB"
memory_bandwidth = "50 GB/s"
flop_rate = "1.5 TFLOPS"

[[switches]]
name = "core"
forwarding_latency = "3 us"

[[nodes]]
name = "desk"
type = "desktop"

[[nodes]]
name = "old"
type = "pi4-4gb"

[[star]]
nodes = 3
node_type = "pi5-8gb"
node_prefix = "pi"
switch = "edge"
forwarding_latency = "2 us"
bandwidth = "1 Gbit/s"
latency = "0.5 µs"

[[links]]
a = "edge"
b = "core"
bandwidth = "10 Gbit/s"
latency = "1 us"

[[links]]
a = "desk"
b = "core"
bandwidth = "10 Gbps"

[[links]]
a = "old"
b = "core"
bandwidth = "1 Gbit/s"
latency = "1 us"
)");
  const auto t = load_topology(file);
  REQUIRE(t.sealed());
  // Vertices: switch core; nodes desk, old; then the star adds switch edge and nodes pi0, pi1, pi2.
  CHECK(t.node_count() == 5);    // desk, old, pi0, pi1, pi2
  CHECK(t.switch_count() == 2);  // core, edge
  CHECK(t.vertex_count() == 7);
  CHECK(t.link_count() == 6);  // 3 star links (generated before the explicit links) + 3 explicit

  // Explicit nodes come first, in declaration order, then the generated ones.
  CHECK(t.node_name(0) == "desk");
  CHECK(t.node_name(1) == "old");
  CHECK(t.node_name(2) == "pi0");
  CHECK(t.node_name(3) == "pi1");
  CHECK(t.node_name(4) == "pi2");

  // desk: the file's own type "desktop"; unset overheads are zero and there is no storage.
  const auto& desk = t.node(0);
  CHECK(desk.type == "desktop");
  CHECK(desk.ram.count == 68'719'476'736);  // 64 * 2^30
  CHECK(desk.memory_bandwidth.per_second == 50e9);
  CHECK(desk.flop_rate.per_second == 1.5e12);
  CHECK(desk.op_overhead == Time{0});
  CHECK(desk.send_overhead == Time{0});
  CHECK_FALSE(desk.storage_bandwidth.has_value());

  // old: the included type pi4-4gb with every field set.
  const auto& old = t.node(1);
  CHECK(old.type == "pi4-4gb");
  CHECK(old.ram.count == 4'000'000'000);  // 4 * 10^9
  CHECK(old.memory_bandwidth.per_second == Approx(3.3e9).epsilon(1e-15));
  CHECK(old.flop_rate.per_second == Approx(11.8e9).epsilon(1e-15));
  CHECK(old.op_overhead == Time{5'000'000});     // 5 us
  CHECK(old.send_overhead == Time{50'000'000});  // 50 us
  CHECK(old.recv_overhead == Time{50'000'000});
  REQUIRE(old.storage_bandwidth.has_value());
  CHECK(old.storage_bandwidth->per_second == 46e6);  // 46 MB/s

  // pi0..pi2: the included type pi5-8gb.
  CHECK(t.node(2).type == "pi5-8gb");
  CHECK(t.node(4).ram.count == 8'589'934'592);  // 8 * 2^30
  CHECK(t.node(3).memory_bandwidth.per_second == 10.5e9);
  CHECK(t.node(3).flop_rate.per_second == 35e9);

  // Links: the star's pi0-edge is link 0 (0.5 us written with the micro sign = 500000 ps, 1 Gbit/s = 125e6 B/s);
  // the explicit ones follow: edge-core (3), desk-core (4, 10 Gbps = 1.25e9 B/s, no latency), old-core (5).
  CHECK(t.vertex(t.link(0).a).name == "pi0");
  CHECK(t.vertex(t.link(0).b).name == "edge");
  CHECK(t.link(0).spec.bandwidth.per_second == 125e6);
  CHECK(t.link(0).spec.latency == Time{500'000});
  CHECK(t.vertex(t.link(3).a).name == "edge");
  CHECK(t.vertex(t.link(3).b).name == "core");
  CHECK(t.link(3).spec.bandwidth.per_second == 1.25e9);
  CHECK(t.link(3).spec.latency == Time{1'000'000});
  CHECK(t.vertex(t.link(4).a).name == "desk");
  CHECK(t.link(4).spec.bandwidth.per_second == 1.25e9);
  CHECK(t.link(4).spec.latency == Time{0});

  // Switch forwarding latencies: core 3 us (explicit), edge 2 us (the star's).
  CHECK(t.forwarding_latency(t.link(3).b) == Time{3'000'000});
  CHECK(t.forwarding_latency(t.link(3).a) == Time{2'000'000});

  // Routes: desk -> pi0 crosses desk-core (0) + core (3 us) + core-edge (1 us) + edge (2 us) + edge-pi0 (0.5 us)
  // = 6.5 us; it uses link 4 forwards (2*4 = 8), link 3 backwards (core->edge, 2*3+1 = 7), link 0 backwards
  // (edge->pi0, 2*0+1 = 1).
  CHECK(t.route_latency(0, 2) == Time{6'500'000});
  std::vector<shardsim::topo::DirLinkId> route;
  t.route(0, 2, route);
  CHECK(route == std::vector<shardsim::topo::DirLinkId>{8, 7, 1});
  CHECK(t.route_latency(2, 3) == Time{3'000'000});  // pi0 -> pi1: 0.5 + 2 + 0.5 us
  CHECK(t.route_latency(1, 0) == Time{4'000'000});  // old -> desk: 1 + 3 + 0 us

  // Every vertex remembers where it was declared: desk at the [[nodes]] table on line 12, the star's vertices at
  // the [[star]] table on line 20.
  CHECK(t.vertex(t.node_vertex(0)).declared_at.file == file);
  CHECK(t.vertex(t.node_vertex(0)).declared_at.line == 12);
  CHECK(t.vertex(t.node_vertex(3)).declared_at.line == 20);
}

TEST_CASE("the example topology of 4 Pi 4 on one switch loads") {
  // topologies/pi4-4gb-star-4.toml: a [[star]] of 4 pi4-4gb nodes named pi0..pi3 on switch "switch", 1 Gbit/s
  // links with 0.5 us latency, 2 us forwarding; the node type from pi-nodes.toml has ram "4 GB".
  const auto t = load_topology(std::string(SHARDSIM_SOURCE_DIR) + "/topologies/pi4-4gb-star-4.toml");
  CHECK(t.node_count() == 4);
  CHECK(t.switch_count() == 1);
  CHECK(t.link_count() == 4);
  CHECK(t.node_name(0) == "pi0");
  CHECK(t.node_name(3) == "pi3");
  CHECK(t.node(0).ram.count == 4'000'000'000);
  CHECK(t.link(0).spec.bandwidth.per_second == 125e6);  // 10^9 / 8
  CHECK(t.route_latency(0, 1) == Time{3'000'000});      // 0.5 + 2 + 0.5 us
}

TEST_CASE("an override changes a star's node count") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("star.toml", R"(include = ["types.toml"]
[[star]]
nodes = 4
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
)");
  CHECK(load_topology(file).node_count() == 4);
  const auto t = load_topology(file, {"star.0.nodes=8"});
  CHECK(t.node_count() == 8);
  CHECK(t.link_count() == 8);           // one link per node
  CHECK(t.node_name(7) == "node7");     // the default prefix "node"
}

// ---- bad input ----------------------------------------------------------------------------------------------

TEST_CASE("a bandwidth without a unit is rejected at its value") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  SECTION("a bare number") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[star]]
nodes = 2
node_type = "pi4-4gb"
bandwidth = 1000
)");
    // line 5, `bandwidth = ` is 12 characters: the value at column 13.
    check_error(input_error([&] { load_topology(file); }), file, 5, 13,
                {"star.0.bandwidth", "with its unit", "got an integer"});
  }
  SECTION("a number in a string") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[star]]
nodes = 2
node_type = "pi4-4gb"
bandwidth = "1000"
)");
    check_error(input_error([&] { load_topology(file); }), file, 5, 13, {"star.0.bandwidth", "missing unit"});
  }
}

TEST_CASE("an unknown unit is rejected at its value") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[star]]
nodes = 2
node_type = "pi4-4gb"
bandwidth = "1 Gbit/sec"
)");
  check_error(input_error([&] { load_topology(file); }), file, 5, 13,
              {"star.0.bandwidth", "unknown unit \"Gbit/sec\""});
}

TEST_CASE("a zero bandwidth is rejected as not positive") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[star]]
nodes = 2
node_type = "pi4-4gb"
bandwidth = "0 Gbit/s"
)");
  check_error(input_error([&] { load_topology(file); }), file, 5, 13, {"star.0.bandwidth", "must be positive"});
}

TEST_CASE("a negative latency is rejected") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[star]]
nodes = 2
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
latency = "-1 us"
)");
  // line 6, `latency = ` is 10 characters: column 11.
  check_error(input_error([&] { load_topology(file); }), file, 6, 11, {"star.0.latency", "negative quantity"});
}

TEST_CASE("a zero RAM is rejected") {
  TempDir dir;
  const std::string file = dir.write("t.toml", R"([node_types.tiny]
ram = "0 GB"
memory_bandwidth = "1 GB/s"
flop_rate = "1 GFLOP/s"
)");
  // line 2, `ram = ` is 6 characters: column 7.
  check_error(input_error([&] { load_topology(file); }), file, 2, 7, {"node_types.tiny.ram", "must be positive"});
}

TEST_CASE("an OS reserve of all the RAM is rejected") {
  TempDir dir;
  const std::string file = dir.write("t.toml", R"([node_types.tiny]
ram = "4 GB"
os_reserve = "4 GB"
memory_bandwidth = "1 GB/s"
flop_rate = "1 GFLOP/s"
)");
  // line 3, `os_reserve = ` is 13 characters: column 14.
  check_error(input_error([&] { load_topology(file); }), file, 3, 14,
              {"node_types.tiny.os_reserve", "must be less than ram"});
}

TEST_CASE("a missing required key of a topology entry is reported at its table") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[star]]
nodes = 2
node_type = "pi4-4gb"
)");
  // The [[star]] table starts at line 3, column 1; it has no bandwidth.
  check_error(input_error([&] { load_topology(file); }), file, 3, 1, {"missing key 'star.0.bandwidth'"});
}

TEST_CASE("a string where a topology expects an integer is a type error") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[star]]
nodes = "two"
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
)");
  // line 4, `nodes = ` is 8 characters: column 9.
  check_error(input_error([&] { load_topology(file); }), file, 4, 9,
              {"star.0.nodes", "expected an integer, got a string"});
}

TEST_CASE("an unknown node type is rejected with a suggestion") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  SECTION("a typo of an included type") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[star]]
nodes = 2
node_type = "pi4-4bg"
bandwidth = "1 Gbit/s"
)");
    // line 5, `node_type = ` is 12 characters: column 13. "pi4-4bg" is 2 edits from "pi4-4gb" (7 letters: 2
    // allowed) and 4 from "pi5-8gb".
    check_error(input_error([&] { load_topology(file); }), file, 5, 13,
                {"star.0.node_type", "unknown node type 'pi4-4bg'", "(did you mean 'pi4-4gb'?)"});
  }
  SECTION("a name close to nothing") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[nodes]]
name = "a"
type = "cray"
)");
    // line 5, `type = ` is 7 characters: column 8.
    const InputError e = input_error([&] { load_topology(file); });
    check_error(e, file, 5, 8, {"nodes.0.type", "unknown node type 'cray'"});
    CHECK_THAT(std::string(e.what()), !Contains("did you mean"));
  }
}

// Errors about an entry name the key's dotted path and point at its value.
TEST_CASE("errors raised by the graph name the offending key") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  SECTION("undeclared link end") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[nodes]]
name = "a"
type = "pi4-4gb"

[[links]]
a = "a"
b = "sw9"
bandwidth = "1 Gbit/s"
)");
    // line 9, `b = ` is 4 characters: the value at column 5.
    check_error(input_error([&] { load_topology(file); }), file, 9, 5, {"links.0.b", "'sw9'"});
  }
  SECTION("duplicate name") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[nodes]]
name = "a"
type = "pi4-4gb"

[[nodes]]
name = "a"
type = "pi4-4gb"
)");
    // line 8, `name = ` is 7 characters: the value at column 8.
    check_error(input_error([&] { load_topology(file); }), file, 8, 8, {"nodes.1.name", "'a'"});
  }
}

TEST_CASE("a node that cannot be reached is reported with both nodes") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[nodes]]
name = "left"
type = "pi4-4gb"

[[nodes]]
name = "right"
type = "pi4-4gb"
)");
  // No links: routing from the first node (left) fails at the second (right), declared at line 7.
  check_error(input_error([&] { load_topology(file); }), file, 7, 1,
              {"node 'right'", "node 'left'", "cannot be reached"});
}

TEST_CASE("an include cycle is rejected at the include that closes it") {
  TempDir dir;
  SECTION("two files") {
    const std::string a = dir.write("a.toml", R"(include = ["b.toml"]
)");
    const std::string b = dir.write("b.toml", R"(include = ["a.toml"]
)");
    // b.toml line 1: `include = [` is 11 characters, the entry "a.toml" at column 12.
    check_error(input_error([&] { load_topology(a); }), b, 1, 12, {"include cycle", "'" + a + "'"});
  }
  SECTION("a file including itself") {
    const std::string a = dir.write("a.toml", R"(include = ["a.toml"]
)");
    check_error(input_error([&] { load_topology(a); }), a, 1, 12, {"include cycle", "'" + a + "'"});
  }
}

TEST_CASE("a missing included file is reported at the include entry") {
  TempDir dir;
  const std::string file = dir.write("t.toml", R"(# node types come from elsewhere
include = ["types.toml", "gone.toml"]
)");
  dir.write("types.toml", kTypes);
  // line 2: `include = ["types.toml", ` is 25 characters, "gone.toml" at column 26.
  check_error(input_error([&] { load_topology(file); }), file, 2, 26, {"cannot open file", dir.path("gone.toml")});
}

TEST_CASE("a syntax error in an included file is reported in that file") {
  TempDir dir;
  const std::string types = dir.write("types.toml", R"([node_types.x]
ram = "4 GB"
memory_bandwidth = @
)");
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
)");
  // types.toml line 3: `memory_bandwidth = ` is 19 characters, the stray '@' at column 20.
  check_error(input_error([&] { load_topology(file); }), types, 3, 20, {});
}

TEST_CASE("an unknown key in a topology file is rejected with a suggestion") {
  TempDir dir;
  SECTION("in a node type") {
    const std::string file = dir.write("t.toml", R"([node_types.x]
ram = "4 GB"
memory_bandwidth = "3.3 GB/s"
flop_rate = "11.8 GFLOP/s"
storage_bandwith = "46 MB/s"
)");
    // line 5, the key at column 1; "storage_bandwith" is 1 edit from "storage_bandwidth".
    check_error(input_error([&] { load_topology(file); }), file, 5, 1,
                {"unknown key 'node_types.x.storage_bandwith'", "(did you mean 'storage_bandwidth'?)"});
  }
  SECTION("without a close match") {
    dir.write("types.toml", kTypes);
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[switches]]
name = "sw"
colour = "red"
)");
    const InputError e = input_error([&] { load_topology(file); });
    check_error(e, file, 5, 1, {"unknown key 'switches.0.colour'"});
    CHECK_THAT(std::string(e.what()), !Contains("did you mean"));
  }
}

// ---- generators ---------------------------------------------------------------------------------------------

TEST_CASE("a tree of three levels with per-level uplinks, read from a file") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[tree]]
nodes = 20
node_type = "pi4-4gb"
node_prefix = "pi"
switch_prefix = "r1-"
levels = 3
ports = 4
uplinks = 1
forwarding_latency = "2 us"
capacity = "8 Gbit/s"
bandwidth = "1 Gbit/s"
latency = "0.5 us"
uplink_bandwidth = ["10 Gbit/s", "40 Gbit/s"]
uplink_latency = "1 us"
)");
  const auto t = load_topology(file);
  // 3 nodes per leaf: 7 leaves; 3 leaves per aggregation switch: 3; one core (tests/topo/generators_test.cpp).
  CHECK(t.node_count() == 20);
  CHECK(t.switch_count() == 11);
  CHECK(t.link_count() == 30);
  CHECK(t.vertex(0).name == "r1-leaf0");
  CHECK(t.vertex(7).name == "r1-agg0");
  CHECK(t.vertex(10).name == "r1-core");
  CHECK(t.node_name(19) == "pi19");
  const auto& leaf = std::get<shardsim::hw::SwitchSpec>(t.vertex(0).spec);
  CHECK(leaf.ports == 4);
  CHECK(leaf.forwarding_latency == Time{2'000'000});
  REQUIRE(leaf.capacity.has_value());
  CHECK(leaf.capacity->per_second == 1e9);
  // Links 20..26 are leaf uplinks, 27..29 aggregation uplinks; one uplink latency for both levels.
  CHECK(t.link(0).spec.latency == Time{500'000});
  CHECK(t.link(20).spec.bandwidth.per_second == 1.25e9);
  CHECK(t.link(20).spec.latency == Time{1'000'000});
  CHECK(t.link(29).spec.bandwidth.per_second == 5e9);
  CHECK(t.link(29).spec.latency == Time{1'000'000});
  CHECK(t.diameter_hops() == 6);
  // pi0 -> pi1 (same leaf): 0.5 + 2 + 0.5 us; pi0 -> pi19: 0.5 + 4 x 1 + 0.5 us of links and 5 switches x 2 us.
  CHECK(t.route_latency(0, 1) == Time{3'000'000});
  CHECK(t.route_latency(0, 19) == Time{15'000'000});
  // Bisection: 10 node links (derived in tests/topo/generators_test.cpp).
  REQUIRE(t.bisection_bandwidth().has_value());
  CHECK(t.bisection_bandwidth()->per_second == Approx(10 * 125e6));
}

TEST_CASE("fat_tree, ring, torus, mesh and full_mesh read from files") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  SECTION("fat_tree") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[fat_tree]]
k = 4
nodes = 12
node_type = "pi5-8gb"
forwarding_latency = "1 us"
bandwidth = "1 Gbit/s"
uplink_bandwidth = "10 Gbit/s"
)");
    const auto t = load_topology(file);
    CHECK(t.node_count() == 12);
    CHECK(t.switch_count() == 20);
    CHECK(t.link_count() == 12 + 32);
    CHECK(t.node_name(11) == "node11");
    CHECK(std::get<shardsim::hw::SwitchSpec>(t.vertex(0).spec).ports == 4);
    CHECK(t.link(11).spec.bandwidth.per_second == 125e6);
    CHECK(t.link(12).spec.bandwidth.per_second == 1.25e9);
    CHECK(t.bisection_bandwidth()->per_second == Approx(6 * 125e6));
  }
  SECTION("ring") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[ring]]
nodes = 8
node_type = "pi5-8gb"
node_prefix = "r"
bandwidth = "2.5 Gbit/s"
latency = "1 us"
)");
    const auto t = load_topology(file);
    CHECK(t.link_count() == 8);
    CHECK(t.diameter_hops() == 4);
    CHECK(t.node_name(7) == "r7");
    CHECK(t.link(0).spec.bandwidth.per_second == 312.5e6);
  }
  SECTION("torus") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[torus]]
dims = [4, 4, 4]
node_type = "pi5-8gb"
bandwidth = "1 Gbit/s"
)");
    const auto t = load_topology(file);
    CHECK(t.node_count() == 64);
    CHECK(t.link_count() == 192);
    CHECK(t.diameter_hops() == 6);
  }
  SECTION("mesh") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[mesh]]
dims = [4, 4]
node_type = "pi5-8gb"
bandwidth = "1 Gbit/s"
)");
    const auto t = load_topology(file);
    CHECK(t.link_count() == 24);
    CHECK(t.diameter_hops() == 6);
  }
  SECTION("full_mesh") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[full_mesh]]
nodes = 5
node_type = "pi5-8gb"
bandwidth = "1 Gbit/s"
)");
    const auto t = load_topology(file);
    CHECK(t.link_count() == 10);
    CHECK(t.diameter_hops() == 1);
    CHECK(t.bisection_bandwidth()->per_second == Approx(6 * 125e6));  // 2 x 3 links
  }
}

TEST_CASE("generators mix with explicit vertices and links, nodes forward at their type's latency") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[node_types.router]
ram = "8 GB"
memory_bandwidth = "10 GB/s"
flop_rate = "30 GFLOP/s"
forwarding_latency = "20 us"

[[switches]]
name = "uplink"
ports = 2
capacity = "4 Gbit/s"

[[ring]]
nodes = 4
node_type = "router"
node_prefix = "r"
bandwidth = "1 Gbit/s"
latency = "1 us"

[[star]]
nodes = 2
node_type = "pi4-4gb"
node_prefix = "s"
switch = "edge"
ports = 3
bandwidth = "1 Gbit/s"

[[links]]
a = "edge"
b = "uplink"
bandwidth = "1 Gbit/s"

[[links]]
a = "r0"
b = "uplink"
bandwidth = "1 Gbit/s"
)");
  const auto t = load_topology(file);
  // Vertices: uplink; then the star (edge, s0, s1) before the ring (r0..r3), whatever the file order.
  CHECK(t.vertex(0).name == "uplink");
  CHECK(t.vertex(1).name == "edge");
  CHECK(t.node_name(0) == "s0");
  CHECK(t.node_name(2) == "r0");
  CHECK(std::get<shardsim::hw::SwitchSpec>(t.vertex(0).spec).ports == 2);
  CHECK(std::get<shardsim::hw::SwitchSpec>(t.vertex(0).spec).capacity->per_second == 5e8);
  CHECK(t.node(2).forwarding_latency == Time{20'000'000});
  CHECK(t.node(0).forwarding_latency == Time{0});
  CHECK_FALSE(t.bisection_bandwidth().has_value());
  // s0 -> r2: s0 - edge - uplink - r0 - (r1 or r3) - r2: 5 hops, crossing r0 and r1/r3 (20 us each) and the
  // two switches (0 us); link latencies 0 + 0 + 0 + 1 + 1 us.
  CHECK(t.diameter_hops() == 5);
  CHECK(t.route_latency(0, 4) == Time{42'000'000});
}

TEST_CASE("a switch with more links than ports is reported at the switch") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  SECTION("an explicit switch") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]

[[switches]]
name = "sw"
ports = 2

[[star]]
nodes = 2
node_type = "pi4-4gb"
switch = "edge"
bandwidth = "1 Gbit/s"

[[nodes]]
name = "x"
type = "pi4-4gb"

[[links]]
a = "sw"
b = "edge"
bandwidth = "1 Gbit/s"

[[links]]
a = "sw"
b = "x"
bandwidth = "1 Gbit/s"

[[links]]
a = "x"
b = "edge"
bandwidth = "1 Gbit/s"
)");
    // sw is fine with 2 links; edge has 2 star links + 2 explicit ones, 4 links for unbounded ports: fine too.
    CHECK(load_topology(file).link_count() == 5);
    // 3 ports for the star's switch: the 4th link to edge (x - edge, the [[links]] table on line 27) has no port.
    check_error(input_error([&] { load_topology(file, {"star.0.ports=3"}); }), file, 7, 1,
                {"switch 'edge' has 4 links but only 3 ports", "x - edge declared at " + file + ":27:1"});
  }
  SECTION("a star bigger than its switch") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[star]]
nodes = 9
node_type = "pi4-4gb"
ports = 8
bandwidth = "1 Gbit/s"
)");
    check_error(input_error([&] { load_topology(file); }), file, 2, 1,
                {"switch 'switch' has 9 links but only 8 ports"});
  }
}

TEST_CASE("generator parameter errors name the key and point at its value") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  auto tree = [&](const std::string& keys) {
    return dir.write("t.toml", "include = [\"types.toml\"]\n[[tree]]\nnode_type = \"pi4-4gb\"\n"
                               "bandwidth = \"1 Gbit/s\"\nuplink_bandwidth = \"1 Gbit/s\"\n" + keys);
  };
  SECTION("too few ports") {
    // line 6 `nodes = 8`, line 7 `ports = 1`: the value at column 9.
    const std::string file = tree("nodes = 8\nports = 1\n");
    check_error(input_error([&] { load_topology(file); }), file, 7, 9, {"tree.0.ports: must be at least 2"});
  }
  SECTION("a missing key is reported at the table") {
    const std::string file = tree("nodes = 8\n");
    check_error(input_error([&] { load_topology(file); }), file, 2, 1, {"missing key 'tree.0.ports'"});
  }
  SECTION("as many uplinks as ports") {
    const std::string file = tree("nodes = 8\nports = 4\nuplinks = 4\n");
    check_error(input_error([&] { load_topology(file); }), file, 8, 11,
                {"tree.0.uplinks: must be between 1 and ports - 1 = 3"});
  }
  SECTION("a core too small, reported at levels") {
    const std::string file = tree("nodes = 100\nports = 8\nlevels = 2\n");
    // 7 nodes per leaf: 15 leaves for an 8-port core. line 8 `levels = 2`: column 10.
    check_error(input_error([&] { load_topology(file); }), file, 8, 10,
                {"tree.0.levels: the core switch would join 15 switches with 15 links but has 8 ports"});
    CHECK(load_topology(file, {"tree.0.levels=3"}).switch_count() == 15 + 3 + 1);
    CHECK(load_topology(file, {"tree.0.core_ports=16"}).switch_count() == 16);
  }
  SECTION("an uplink bandwidth per level, one too many") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[tree]]
nodes = 8
ports = 4
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
uplink_bandwidth = ["1 Gbit/s", "10 Gbit/s"]
)");
    // line 7, `uplink_bandwidth = ` is 19 characters: the array at column 20.
    check_error(input_error([&] { load_topology(file); }), file, 7, 20,
                {"tree.0.uplink_bandwidth: expected one bandwidth, or one per level of uplinks (levels - 1 = 1)"});
  }
  SECTION("a bad unit inside an array is reported at the entry") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[tree]]
nodes = 8
ports = 4
levels = 3
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
uplink_bandwidth = ["1 Gbit/s", "10 Gbit/sec"]
)");
    // line 8: `uplink_bandwidth = ["1 Gbit/s", ` is 32 characters: the second entry at column 33.
    check_error(input_error([&] { load_topology(file); }), file, 8, 33,
                {"tree.0.uplink_bandwidth.1", "unknown unit \"Gbit/sec\""});
  }
  SECTION("an odd k") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[fat_tree]]
k = 5
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
)");
    check_error(input_error([&] { load_topology(file); }), file, 3, 5,
                {"fat_tree.0.k: must be an even number from 2 to 64, got 5"});
  }
  SECTION("a torus of one dimension") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[torus]]
dims = [16]
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
)");
    check_error(input_error([&] { load_topology(file); }), file, 3, 8,
                {"torus.0.dims: expected 2 or 3 sizes ([4, 4] or [4, 4, 4]), got 1"});
  }
  SECTION("a size that is not an integer") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[mesh]]
dims = [4, "4"]
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
)");
    // line 3: `dims = [4, ` is 11 characters: the entry at column 12.
    check_error(input_error([&] { load_topology(file); }), file, 3, 12, {"mesh.0.dims.1: expected an integer"});
  }
  SECTION("a ring of one") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[ring]]
nodes = 1
node_type = "pi4-4gb"
bandwidth = "1 Gbit/s"
)");
    check_error(input_error([&] { load_topology(file); }), file, 3, 9,
                {"ring.0.nodes: must be between 2 and 1000000, got 1"});
  }
  SECTION("a misspelt key is reported before the generator runs") {
    const std::string file = tree("nodes = 8\nports = 1\nuplink = 2\n");
    check_error(input_error([&] { load_topology(file); }), file, 8, 1,
                {"unknown key 'tree.0.uplink'", "(did you mean 'uplinks'?)"});
  }
  SECTION("zero ports on an explicit switch") {
    const std::string file = dir.write("t.toml", R"(include = ["types.toml"]
[[switches]]
name = "sw"
ports = 0
)");
    check_error(input_error([&] { load_topology(file); }), file, 4, 9, {"switches.0.ports: must be at least 1"});
  }
}

// ---- the preset files -----------------------------------------------------------------------------------------

TEST_CASE("every topology in topologies/ loads") {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SHARDSIM_SOURCE_DIR) + "/topologies")) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".toml") continue;
    INFO(path);
    if (entry.path().filename().string().find("-nodes.toml") != std::string::npos) {
      // A library of node types, included by the others: it holds no nodes of its own.
      CHECK_THAT(input_error([&] { load_topology(path); }).what(), Contains("the topology has no compute nodes"));
      continue;
    }
    const auto t = load_topology(path);
    CHECK(t.sealed());
    CHECK(t.node_count() > 0);
    ++loaded;
  }
  CHECK(loaded >= 9);
}

TEST_CASE("the preset topologies have the shapes their comments claim") {
  struct Preset {
    const char* file;
    int nodes, switches, links, diameter;
    double bisection_gbit;  // per direction; 0: unknown
    const char* node_type;
  };
  // Bisections: a star of n cuts floor(n/2) links; the 1024-node trees 11 uplinks and 5 node links (derived in
  // tests/topo/generators_test.cpp); the k = 8 fat-tree 64 host links; the 4 x 4 torus 8 links of 2.5 Gbit/s.
  for (const Preset& p : {
           Preset{"pi4-4gb-star-4.toml", 4, 1, 4, 2, 2, "pi4-4gb"},
           Preset{"pi4-4gb-star-128.toml", 128, 1, 128, 2, 64, "pi4-4gb"},
           Preset{"pi4-4gb-star-1024.toml", 1024, 1, 1024, 2, 512, "pi4-4gb"},
           Preset{"pi4-8-switch8.toml", 8, 1, 8, 2, 4, "pi4-8gb"},
           Preset{"pi5-48-switch48.toml", 48, 1, 48, 2, 24, "pi5-8gb"},
           Preset{"pi4-1024-tree-1g.toml", 1024, 23, 1046, 4, 16, "pi4-4gb"},
           Preset{"pi4-1024-tree-10g.toml", 1024, 23, 1046, 4, 115, "pi4-4gb"},
           Preset{"pi5-fat-tree-k8.toml", 128, 80, 384, 6, 64, "pi5-8gb"},
           Preset{"pi5-torus-4x4-usb.toml", 16, 0, 32, 4, 20, "pi5-8gb-router"},
       }) {
    INFO(p.file);
    const auto t = load_topology(std::string(SHARDSIM_SOURCE_DIR) + "/topologies/" + p.file);
    CHECK(t.node_count() == p.nodes);
    CHECK(t.switch_count() == p.switches);
    CHECK(t.link_count() == p.links);
    CHECK(t.diameter_hops() == p.diameter);
    CHECK(t.node(0).type == p.node_type);
    REQUIRE(t.bisection_bandwidth().has_value());
    CHECK(t.bisection_bandwidth()->per_second * 8 == Approx(p.bisection_gbit * 1e9));
  }
}

TEST_CASE("the preset node types keep their figures") {
  const auto t = load_topology(std::string(SHARDSIM_SOURCE_DIR) + "/topologies/pi4-8-switch8.toml");
  // Switch: 8 ports; hardware.md §4's 16 Gbit/s full-duplex capacity counts each bit in and out, so the bound on
  // the sum of flow rates is 8 Gbit/s = 1e9 B/s.
  const auto& sw = std::get<shardsim::hw::SwitchSpec>(t.vertex(0).spec);
  CHECK(sw.ports == 8);
  CHECK(sw.capacity->per_second == 1e9);
  // pi4-8gb: 8 GiB physical, less the 600 MB OS reserve: 8589934592 - 600000000 = 7989934592 usable.
  CHECK(t.node(0).ram.count == 8'589'934'592);
  CHECK(t.node(0).usable_ram().count == 7'989'934'592);
  // The torus's nodes forward at 20 us.
  const auto torus = load_topology(std::string(SHARDSIM_SOURCE_DIR) + "/topologies/pi5-torus-4x4-usb.toml");
  CHECK(torus.node(0).forwarding_latency == Time{20'000'000});
  CHECK(torus.forwarding_latency(torus.node_vertex(5)) == Time{20'000'000});
  // Every node type of pi-nodes.toml, placed on a star.
  shardsim::testing::TempDir dir;
  for (const char* type : {"pi3b-plus", "pi4-4gb", "pi4-8gb", "pi5-8gb", "pi5-16gb", "cm5-8gb", "desktop-ddr5"}) {
    INFO(type);
    const std::string file =
        dir.write("t.toml", "include = [\"" SHARDSIM_SOURCE_DIR "/topologies/pi-nodes.toml\"]\n[[star]]\nnodes = 2\n"
                            "node_type = \"" + std::string(type) + "\"\nbandwidth = \"1 Gbit/s\"\n");
    const auto star = load_topology(file);
    CHECK(star.node(0).type == type);
    CHECK(star.node(0).ram.count > 0);
  }
  const auto pi3 = load_topology(dir.write("t.toml", "include = [\"" SHARDSIM_SOURCE_DIR
                                                    "/topologies/pi-nodes.toml\"]\n[[ring]]\nnodes = 2\n"
                                                    "node_type = \"pi3b-plus\"\nbandwidth = \"300 Mbit/s\"\n"));
  CHECK(pi3.node(0).ram.count == 1'073'741'824);  // 1 GiB
  CHECK(pi3.node(0).os_reserve.count == 300'000'000);
  CHECK(pi3.node(0).storage_bandwidth->per_second == 23e6);
}
