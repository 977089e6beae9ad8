// Topology files: node types (own and included), switches, nodes, links and the [[star]] generator, read into a
// sealed topo::Topology; and every kind of bad input, each reported as an InputError at the exact
// file:line:column of the offending value (or of its table, for a missing key or a bad entry).
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

using shardsim::testing::input_error;
using shardsim::testing::TempDir;


// The message starts with "file:line:column: " and contains every part (the key's dotted path and what is wrong).
void check_error(const InputError& e, const std::string& file, int line, int column,
                 std::initializer_list<std::string_view> parts) {
  const std::string what = e.what();
  INFO("message: " << what);
  CHECK_THAT(what, StartsWith(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": "));
  for (std::string_view part : parts) CHECK_THAT(what, Contains(std::string(part)));
}

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
