// Calibration against measured runs. The recovery test is the one that matters: "measurements" made by shardsim
// itself with a Pi 5's node type perturbed by +-30 % are fitted back, from the unperturbed preset, to within 1 %.
// The others pin what the fit says about fields the runs cannot determine, the leave-one-out errors, and the
// errors for bad rows, each at the CSV's file:line.

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "temp_dir.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/measured_fit.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/util/metric.hpp"

using shardsim::study::fit_measured;
using shardsim::study::FitRequest;
using shardsim::study::read_measured_runs;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

// Two Pi 5 (8 GB) on a gigabit switch, the presets of topologies/pi-nodes.toml; Llama 2 7B in q4_0, tensor parallel.
struct Files {
  TempDir dir;
  std::string scenario;
  Files() {
    dir.write("pis.toml", std::string("include = [\"") + SHARDSIM_SOURCE_DIR + R"(/topologies/pi-nodes.toml"]
[[star]]
nodes = 4
node_type = "pi5-8gb"
bandwidth = "1 Gbit/s"
latency = "0.5 us"
forwarding_latency = "2 us"
)");
    scenario = dir.write("llama.toml", R"(topology = "pis.toml"
[transformer]
preset = "llama2-7b"
weights = "q4_0"
kv_cache = "fp16"
activations = "q8_0"
[plan]
strategy = "tensor"
nodes = 1
[run]
context = 256
)");
  }
};

// The token latency shardsim simulates for `scenario` with `sets`, in the CSV's form ("0.123456789 s").
std::string simulated(const std::string& scenario, const std::vector<std::string>& sets) {
  const double t = shardsim::study::run_scenario(shardsim::scenario::load(scenario, sets))
                       .figures.at(*shardsim::metric_index("token_latency"));
  char text[64];
  std::snprintf(text, sizeof text, "%.12f s", t);
  return text;
}

const shardsim::study::FittedField& field(const shardsim::study::FitResult& fit, const std::string& name) {
  for (const auto& f : fit.fields) {
    if (f.field.name == name) return f;
  }
  FAIL("no field " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("node parameters perturbed by 30 % are fitted back within 1 % from the runs they produce") {
  Files files;
  // The truth: memory bandwidth 11.6 GB/s x 0.7 = 8.12 GB/s, the q4_0 decode kernel 70 x 1.3 = 91 GFLOP/s, the send
  // overhead 50 x 1.3 = 65 us.
  const std::vector<std::string> truth{"topology.node_types.pi5-8gb.memory_bandwidth=\"8.12 GB/s\"",
                                       "topology.node_types.pi5-8gb.decode_rates.q4_0=\"91 GFLOP/s\"",
                                       "topology.node_types.pi5-8gb.send_overhead=\"65 us\""};
  // Runs that tell the three apart: the KV cache's bytes grow with the context (memory, not the q4_0 kernel), and
  // messages appear with a second and fourth node.
  const std::vector<std::vector<std::string>> rows{{"plan.nodes=1", "run.context=256"},
                                                   {"plan.nodes=1", "run.context=4096"},
                                                   {"plan.nodes=2", "run.context=256"},
                                                   {"plan.nodes=4", "run.context=1024"}};
  std::string csv = "scenario,set,measured\n";
  for (const auto& row : rows) {
    std::vector<std::string> sets = truth;
    sets.insert(sets.end(), row.begin(), row.end());
    csv += "llama.toml," + row[0] + ";" + row[1] + "," + simulated(files.scenario, sets) + "\n";
  }
  const std::string path = files.dir.write("runs.csv", csv);
  FitRequest request;
  request.file = path;
  request.runs = read_measured_runs(path);
  request.jobs = 2;
  const auto fit = fit_measured(request);
  CHECK(fit.node_type == "pi5-8gb");
  // The default fields: memory_bandwidth, the decode rate of q4_0, send and receive overheads (runs span nodes).
  REQUIRE(fit.fields.size() == 4);
  CHECK(field(fit, "memory_bandwidth").value == Approx(8.12e9).epsilon(0.01));
  CHECK(field(fit, "decode_rates.q4_0").value == Approx(91e9).epsilon(0.01));
  CHECK(field(fit, "send_overhead").value == Approx(65e-6).epsilon(0.01));
  // Every message pays both overheads: the runs cannot tell recv_overhead from send_overhead, so it keeps 50 us.
  CHECK_FALSE(field(fit, "recv_overhead").determined);
  CHECK(field(fit, "recv_overhead").value == Approx(50e-6));
  CHECK_THAT(field(fit, "recv_overhead").why_not, Catch::Matchers::Contains("send_overhead"));
  for (const auto& row : fit.rows) CHECK(std::abs(row.residual()) < 1e-3);
  // Four runs for three fields: no leave-one-out (it needs one more run).
  CHECK_FALSE(fit.left_out_rms.has_value());
}

TEST_CASE("single-node runs cannot determine network overheads; leave-one-out predicts each run from the others") {
  Files files;
  // Memory bandwidth alone, 11.6 GB/s x 1.25 = 14.5 GB/s, over three contexts on one node.
  std::string csv = "scenario,set,measured\n";
  for (const char* context : {"run.context=128", "run.context=1024", "run.context=3000"}) {
    csv += std::string("llama.toml,") + context + "," +
           simulated(files.scenario, {"topology.node_types.pi5-8gb.memory_bandwidth=\"14.5 GB/s\"", context}) + "\n";
  }
  const std::string path = files.dir.write("runs.csv", csv);
  FitRequest request;
  request.file = path;
  request.runs = read_measured_runs(path);
  request.fields = {"memory_bandwidth", "send_overhead"};
  const auto fit = fit_measured(request);
  CHECK(field(fit, "memory_bandwidth").value == Approx(14.5e9).epsilon(0.001));
  CHECK_FALSE(field(fit, "send_overhead").determined);
  CHECK(field(fit, "send_overhead").why_not == "no run's time depends on it");
  // Three runs, one field: each left out is predicted by the other two, which determine the same bandwidth.
  REQUIRE(fit.left_out_rms.has_value());
  CHECK(*fit.left_out_rms < 1e-3);
  for (const auto& row : fit.rows) CHECK(row.left_out.has_value());
}

TEST_CASE("bad measured runs are reported at their line of the CSV") {
  Files files;
  SECTION("a time without its unit") {
    const std::string path = files.dir.write("runs.csv", "scenario,set,measured\nllama.toml,,1.5 s\nllama.toml,,1.5\n");
    check_error(input_error([&] { read_measured_runs(path); }), path, 3, 1, {"measured", "unit"});
  }
  SECTION("a wrong header") {
    const std::string path = files.dir.write("runs.csv", "scenario,sets,measured\n");
    check_error(input_error([&] { read_measured_runs(path); }), path, 1, 1, {"scenario,set,measured"});
  }
  SECTION("a metric that is not a time") {
    const std::string path = files.dir.write("runs.csv", "scenario,set,measured,metric\nllama.toml,,1 s,fits\n");
    check_error(input_error([&] { read_measured_runs(path); }), path, 2, 1, {"'fits' is not a time figure"});
  }
  SECTION("a row whose scenario fails") {
    const std::string path =
        files.dir.write("runs.csv", "scenario,set,measured\nllama.toml,,1 s\nllama.toml,plan.nodes=9,1 s\n");
    FitRequest request;
    request.file = path;
    request.runs = read_measured_runs(path);
    check_error(input_error([&] { fit_measured(request); }), path, 3, 1, {"the run's scenario fails", "plan.nodes"});
  }
  SECTION("fewer runs than fields") {
    const std::string path = files.dir.write("runs.csv", "scenario,set,measured\nllama.toml,,1 s\n");
    FitRequest request;
    request.file = path;
    request.runs = read_measured_runs(path);
    request.fields = {"memory_bandwidth", "decode_rates.q4_0"};
    check_error(input_error([&] { fit_measured(request); }), path, 2, 1, {"1 measured run", "cannot determine 2"});
  }
}
