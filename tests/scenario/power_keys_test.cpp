// power_idle, power_busy and price on node types and switches: read with their units, and every bad value
// reported at its file:line:column naming the key. Columns are counted by hand: `key = value` puts the value at
// column len(key) + 4.

#include <catch2/catch.hpp>
#include <string>

#include "printing.hpp"
#include "temp_dir.hpp"
#include "shardsim/scenario/scenario.hpp"

using shardsim::scenario::load_topology;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

// A node type with the given extra lines (from line 5 on), two nodes on one switch.
std::string topology_with(const std::string& type_lines, const std::string& switch_lines = "") {
  return "[node_types.pi]\nram = \"8 GiB\"\nmemory_bandwidth = \"10 GB/s\"\nflop_rate = \"30 GFLOP/s\"\n" +
         type_lines + "\n[[star]]\nnodes = 2\nnode_type = \"pi\"\nbandwidth = \"1 Gbit/s\"\n" + switch_lines;
}

}  // namespace

TEST_CASE("power and price of node types and a star's switch are read with their units") {
  TempDir dir;
  const std::string file = dir.write(
      "t.toml", topology_with("power_idle = \"2.8 W\"\npower_busy = \"9700 mW\"\nprice = \"80 USD\"",
                              "power_idle = \"0.003 kW\"\npower_busy = \"3.5 W\"\nprice = \"20 USD\"\n"));
  const shardsim::topo::Topology t = load_topology(file);
  const shardsim::hw::NodeSpec& n = t.node(0);
  CHECK(*n.power.idle_watts == 2.8);
  CHECK(*n.power.busy_watts == Approx(9.7).epsilon(1e-12));
  CHECK(n.price->amount == 80);
  CHECK(n.price->currency == "USD");
  const auto& sw = std::get<shardsim::hw::SwitchSpec>(t.find("switch")->spec);
  CHECK(*sw.power.idle_watts == 3);
  CHECK(*sw.power.busy_watts == 3.5);
  CHECK(sw.price->amount == 20);
}

TEST_CASE("a power without its unit is rejected at its value") {
  TempDir dir;
  const std::string file = dir.write("t.toml", topology_with("power_idle = \"2.8\"\npower_busy = \"5 W\""));
  // line 5, `power_idle = ` is 13 characters: column 14.
  check_error(input_error([&] { load_topology(file); }), file, 5, 14, {"node_types.pi.power_idle", "unknown power unit"});
}

TEST_CASE("power_idle without power_busy is rejected at power_idle") {
  TempDir dir;
  const std::string file = dir.write("t.toml", topology_with("power_idle = \"2.8 W\""));
  check_error(input_error([&] { load_topology(file); }), file, 5, 14, {"node_types.pi.power_idle", "power_busy"});
}

TEST_CASE("a busy power below the idle power is rejected") {
  TempDir dir;
  const std::string file = dir.write("t.toml", topology_with("power_idle = \"5 W\"\npower_busy = \"2 W\""));
  check_error(input_error([&] { load_topology(file); }), file, 6, 14,
              {"node_types.pi.power_busy", "at least power_idle"});
}

TEST_CASE("a price without a currency, or a negative one, is rejected at its value") {
  TempDir dir;
  const std::string bare = dir.write("a.toml", topology_with("price = \"80\""));
  // line 5, `price = ` is 8 characters: column 9.
  check_error(input_error([&] { load_topology(bare); }), bare, 5, 9, {"node_types.pi.price", "currency"});
  const std::string negative = dir.write("b.toml", topology_with("price = \"-80 USD\""));
  check_error(input_error([&] { load_topology(negative); }), negative, 5, 9, {"node_types.pi.price", "negative"});
  const std::string number = dir.write("c.toml", topology_with("price = 80"));
  check_error(input_error([&] { load_topology(number); }), number, 5, 9, {"node_types.pi.price", "expected a string"});
}
