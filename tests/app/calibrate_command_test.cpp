// `shardsim calibrate` end to end: the file it writes is read back by --calibration on run (and the other
// commands that take --set), and bad input exits with code 2 and a message at file:line.

#include <catch2/catch.hpp>
#include <string>

#include "cli_run.hpp"
#include "temp_dir.hpp"

using shardsim::testing::cli;
using shardsim::testing::slurp;
using shardsim::testing::TempDir;

namespace {
const std::string kRoot = SHARDSIM_SOURCE_DIR;
std::string data(const std::string& name) { return kRoot + "/tests/data/" + name; }
}  // namespace

TEST_CASE("the node types calibrate writes are what --calibration reads") {
  TempDir dir;
  const std::string out = dir.path("pi5.toml");
  const auto c = cli({"calibrate", "--llama-bench", data("llama-bench-pi5.json"), "--ping", data("ping-pi5.txt"),
                      "--node-type", "pi5-8gb", "--node-types", kRoot + "/topologies/pi-nodes.toml", "-o", out});
  INFO(c.err);
  REQUIRE(c.code == 0);
  const std::string file = slurp(out);
  CHECK_THAT(file, Catch::Matchers::Contains("[node_types.pi5-8gb]"));
  CHECK_THAT(file, Catch::Matchers::Contains("send_overhead = \"130.024 us\""));
  CHECK_THAT(file, Catch::Matchers::Contains("# llama-bench "));
  const std::string scenario = kRoot + "/scenarios/llama3-8b-pi5-tensor-2.toml";
  const auto plain = cli({"run", scenario});
  const auto calibrated = cli({"run", scenario, "--calibration", out});
  REQUIRE(plain.code == 0);
  REQUIRE(calibrated.code == 0);
  CHECK(plain.out != calibrated.out);  // slower stacks and another memory bandwidth move the token
  // --set applies on top of the calibration: setting back the presets' fields gives the plain report's token.
  const auto undone = cli({"run", scenario, "--calibration", out, "--set",
                           "topology.node_types.pi5-8gb.send_overhead=\"50 us\"", "--set",
                           "topology.node_types.pi5-8gb.recv_overhead=\"50 us\"", "--set",
                           "topology.node_types.pi5-8gb.memory_bandwidth=\"11.6 GB/s\"", "--set",
                           "topology.node_types.pi5-8gb.prefill_rates.q4_0=\"105 GFLOP/s\""});
  CHECK(undone.out == plain.out);
  for (const char* command : {"check", "explain"}) {
    INFO(command);
    CHECK(cli({command, scenario, "--calibration", out}).code == 0);
  }
  const std::string star = kRoot + "/topologies/pi5-16gb-8-switch8.toml";
  CHECK(cli({"compare", scenario, "--topology", star, "--calibration", out}).code == 0);
  CHECK(cli({"sweep", scenario, "--sweep", "plan.nodes=1,2", "--calibration", out}).code == 0);
}

TEST_CASE("calibrate's bad input exits with 2 and says where") {
  TempDir dir;
  SECTION("no measurement") { CHECK(cli({"calibrate"}).code == 2); }
  SECTION("a file of the wrong format") {
    const auto r = cli({"calibrate", "--llama-bench", data("ping-pi5.txt"), "--node-type", "pi5-8gb"});
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Matchers::StartsWith(data("ping-pi5.txt") + ":1:1: not valid JSON"));
  }
  SECTION("a CSV row whose scenario fails") {
    const std::string csv = dir.write("runs.csv", "scenario,set,measured\n" + kRoot +
                                                      "/scenarios/llama3-8b-pi5-tensor-1.toml,model.layerz=3,1 s\n");
    const auto r = cli({"calibrate", "--measured", csv});
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Matchers::StartsWith(csv + ":2:1: the run's scenario fails"));
  }
  SECTION("a calibration file that is not one") {
    const std::string bad = dir.write("bad.toml", "[star]\nnodes = 2\n");
    const auto r = cli({"run", kRoot + "/scenarios/llama3-8b-pi5-tensor-1.toml", "--calibration", bad});
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Matchers::StartsWith(bad + ":1:2: star: a calibration file holds only"));
  }
}

TEST_CASE("a sweep over a field of an included node type changes that field at every point") {
  // scenarios/dllama-pi4-llama2-7b-2.toml: two Pi 4 whose type comes from topologies/pi-nodes.toml. Each message
  // pays the send overhead once, so 100 us more per message moves the token by 100 us x the messages on its path;
  // here only that the two points differ and the 50 us point is the scenario's own token.
  const std::string scenario = kRoot + "/scenarios/dllama-pi4-llama2-7b-2.toml";
  const auto sweep =
      cli({"sweep", scenario, "--sweep", "topology.node_types.pi4-8gb.send_overhead=\"50 us\",\"150 us\"", "-j", "1",
           "--format", "jsonl"});
  INFO(sweep.err);
  REQUIRE(sweep.code == 0);
  const auto run = cli({"run", scenario, "--format", "json"});
  REQUIRE(run.code == 0);
  const auto lines = sweep.out.find('\n');
  const std::string first = sweep.out.substr(0, lines), second = sweep.out.substr(lines + 1);
  const auto latency = [](const std::string& text) {
    const auto key = text.find("\"token_latency\"");  // the report writes `"key" : value`, the table `"key":value`
    REQUIRE(key != std::string::npos);
    return std::stod(text.substr(text.find(':', key) + 1));
  };
  CHECK(latency(first) == Approx(latency(run.out)).epsilon(1e-12));
  CHECK(latency(second) > latency(first) + 100e-6);
}
