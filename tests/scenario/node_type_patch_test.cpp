// Changing fields of a node type where it is defined: `--set topology.node_types.NAME.FIELD=...` (here through
// load_topology, where the key starts at node_types) and a calibration file (--calibration, scenario.hpp's
// calibration_override()). The included type is changed, not redefined: fields not named keep their values, and a
// bad value is reported where it was written (the --set argument's column, the calibration file's line).
//
// Columns are counted by hand: in "--set KEY=VALUE" the value starts at column 6 + len(KEY) + 2.

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "printing.hpp"
#include "temp_dir.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/util/error.hpp"

using shardsim::Time;
using shardsim::scenario::calibration_override;
using shardsim::scenario::load_topology;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

constexpr std::string_view kTypes = R"([node_types.pi4]
ram = "8 GiB"
memory_bandwidth = "4.4 GB/s"
flop_rate = "11.8 GFLOP/s"
decode_rates = { q4_0 = "16 GFLOP/s", q8_0 = "19 GFLOP/s" }
send_overhead = "50 us"
recv_overhead = "50 us"

[node_types.pi5]
ram = "8 GiB"
memory_bandwidth = "11.6 GB/s"
flop_rate = "35 GFLOP/s"
)";

constexpr std::string_view kCluster = R"(include = ["types.toml"]
[[star]]
nodes = 2
node_type = "pi4"
bandwidth = "1 Gbit/s"
)";

}  // namespace

TEST_CASE("a --set changes one field of an included node type and keeps the others") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("cluster.toml", kCluster);
  const auto t = load_topology(file, {"node_types.pi4.send_overhead=\"150 us\""});
  const auto& n = t.node(0);
  CHECK(n.send_overhead == Time::from_us(150));
  CHECK(n.recv_overhead == Time::from_us(50));        // untouched
  CHECK(n.memory_bandwidth.per_second == 4.4e9);      // untouched
  // A table field is changed entry by entry: q8_0 keeps its rate.
  const auto t2 = load_topology(file, {"node_types.pi4.decode_rates.q4_0=\"8 GFLOP/s\""});
  CHECK(t2.node(0).kernels.decode[static_cast<std::size_t>(shardsim::hw::NumberFormat::q4_0)]->per_second == 8e9);
  CHECK(t2.node(0).kernels.decode[static_cast<std::size_t>(shardsim::hw::NumberFormat::q8_0)]->per_second == 19e9);
}

TEST_CASE("a bad --set of an included node type's field is reported at the argument's column") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("cluster.toml", kCluster);
  // "--set node_types.pi4.send_overhead=..." : the key is 28 characters, so the value is at 6 + 28 + 2 = 36.
  const std::string arg = "node_types.pi4.send_overhead=\"150 zz\"";
  check_error(input_error([&] { load_topology(file, {arg}); }), "--set " + arg, 1, 36,
              {"node_types.pi4.send_overhead", "unknown unit"});
  // An unknown field: reported at its key ("--set node_types.pi4." is 21 characters), with the type's path.
  const std::string typo = "node_types.pi4.send_overhed=\"150 us\"";
  check_error(input_error([&] { load_topology(file, {typo}); }), "--set " + typo, 1, 22,
              {"node_types.pi4.send_overhed", "send_overhead"});
}

TEST_CASE("a --set of a type no file defines creates it, and it must be complete") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("cluster.toml", kCluster);
  const auto e = input_error([&] { load_topology(file, {"node_types.pi9.ram=\"1 GiB\""}); });
  CHECK_THAT(e.message(), Catch::Matchers::Contains("missing key 'node_types.pi9.memory_bandwidth'"));
}

TEST_CASE("a calibration file replaces the same-named fields; --set applies on top of it") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("cluster.toml", kCluster);
  const std::string calibration = dir.write("cal.toml", R"(# fitted
[node_types.pi4]
memory_bandwidth = "3.3 GB/s"
decode_rates = { q4_0 = "14 GFLOP/s" }

[node_types.other]
memory_bandwidth = "1 GB/s"
)");
  const auto t = load_topology(file, {calibration_override(calibration)});
  const auto& n = t.node(1);
  CHECK(n.memory_bandwidth.per_second == 3.3e9);
  CHECK(n.flop_rate.per_second == 11.8e9);  // not in the file: the preset's
  CHECK(n.kernels.decode[static_cast<std::size_t>(shardsim::hw::NumberFormat::q4_0)]->per_second == 14e9);
  CHECK(n.kernels.decode[static_cast<std::size_t>(shardsim::hw::NumberFormat::q8_0)]->per_second == 19e9);
  const auto t2 = load_topology(file, {calibration_override(calibration), "node_types.pi4.memory_bandwidth=\"2 GB/s\""});
  CHECK(t2.node(0).memory_bandwidth.per_second == 2e9);
}

TEST_CASE("a calibration file with a bad value, another table, or no type of the topology is refused") {
  TempDir dir;
  dir.write("types.toml", kTypes);
  const std::string file = dir.write("cluster.toml", kCluster);
  SECTION("a bad value, at its line in the calibration file") {
    const std::string calibration = dir.write("cal.toml", "[node_types.pi4]\n\nmemory_bandwidth = \"3.3 GB\"\n");
    // memory_bandwidth = "..." : the value starts at column len("memory_bandwidth") + 4 = 20.
    check_error(input_error([&] { load_topology(file, {calibration_override(calibration)}); }), calibration, 3, 20,
                {"node_types.pi4.memory_bandwidth"});
  }
  SECTION("a table other than node_types") {
    const std::string calibration = dir.write("cal.toml", "[node_types.pi4]\nram = \"8 GiB\"\n[star]\nnodes = 3\n");
    check_error(input_error([&] { load_topology(file, {calibration_override(calibration)}); }), calibration, 3, 2,
                {"star", "only [node_types.NAME]"});
  }
  SECTION("no type the topology defines") {
    const std::string calibration = dir.write("cal.toml", "[node_types.pi-4]\nram = \"8 GiB\"\n");
    const auto e = input_error([&] { load_topology(file, {calibration_override(calibration)}); });
    CHECK(e.pos().file == calibration);
    CHECK_THAT(e.message(), Catch::Matchers::Contains("'pi-4'") && Catch::Matchers::Contains("did you mean 'pi4'"));
  }
  SECTION("a missing file") {
    const auto e = input_error([&] { load_topology(file, {calibration_override(dir.path("none.toml"))}); });
    CHECK(e.pos().file == "--calibration");
  }
}
