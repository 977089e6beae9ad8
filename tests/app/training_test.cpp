// A training step simulated end to end, against a closed form worked out by hand, and the scenario keys of
// training with their errors.
#include <catch2/catch.hpp>

#include "cli_run.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/workload/training_cost.hpp"
#include "temp_dir.hpp"
#include "tiny_transformer.hpp"

using namespace shardsim;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

// Two nodes computing 1 FLOP per ns, memory so fast (1e18 B/s) that an op takes its FLOPs in ns, no per-op
// overhead, 10 us per message at each end; 1 Gbit/s links (8 ns per byte) of 1 us, a switch forwarding in 2 us.
// With one frame per message and no framing bytes (the [network] of kTiny), a message of m bytes between the two
// nodes takes T(m) = 10 us + 2 x (8 m ns) + 2 x 1 us + 2 us + 10 us = 24 us + 16 ns x m (store and forward over
// two links, as tests/exec/collective_timing_test.cpp derives).
constexpr const char* kPair = R"(
[node_types.flat]
ram = "1 GB"
memory_bandwidth = "1000000 TB/s"
flop_rate = "1 GFLOP/s"
send_overhead = "10 us"
recv_overhead = "10 us"

[[star]]
nodes = 2
node_type = "flat"
bandwidth = "1 Gbit/s"
latency = "1 us"
forwarding_latency = "2 us"
)";

// The tiny transformer of tests/plan/training_plan_test.cpp, trained with mixed-precision AdamW on 2 sequences of
// 3 tokens per step.
constexpr const char* kTiny = R"(topology = "pair.toml"
[transformer]
vocab = 11
d_model = 8
layers = 2
heads = 2
kv_heads = 2
head_dim = 4
d_ff = 12
max_context = 16
[network]
mtu = "1 GB"
frame_overhead = "0 B"
[run]
batch = 2
[train]
seq_len = 3
optimizer = "adamw"
precision = "mixed"
)";

double figure(const report::Result& r, std::string_view name) { return r.figures.at(*metric_index(name)); }

workload::TransformerSpec tiny() { return testing::tiny_transformer(); }  // the model of kTiny

}  // namespace

TEST_CASE("training: a data-parallel step is the replica's passes, the gradient all-reduce and the update") {
  TempDir dir;
  dir.write("pair.toml", kPair);
  const std::string path = dir.write(
      "dp.toml", std::string(kTiny) + "[plan]\nstrategy = \"data\"\nnodes = 2\noverlap_gradients = false\n");
  const scenario::Scenario s = scenario::load(path);
  const report::Result r = study::run_scenario(s);
  const workload::TransformerSpec spec = tiny();
  const std::int64_t params = workload::param_counts(spec).total();
  // Each replica runs 1 sequence: its forward and backward FLOPs, one op at a time, 1 ns per FLOP.
  const double passes = static_cast<double>(workload::training_flops(spec, 1, 3).count) * 1e-9;
  // Then the ring all-reduce of the 2 x params bytes of bf16 gradients between the two: a reduce-scatter and an
  // all-gather step, each a message of half the vector (params bytes) one after the other: 2 x (24 us + 16 ns x P).
  const double sync = 2 * (24e-6 + 16e-9 * static_cast<double>(params));
  // Then Adam: 12 FLOP per parameter.
  const double update = 12e-9 * static_cast<double>(params);
  CHECK(figure(r, "step_time") == Approx(passes + sync + update).margin(1e-9));
  CHECK(figure(r, "step_gradient_sync") == Approx(sync).margin(1e-9));
  CHECK(figure(r, "step_optimizer") == Approx(update).margin(1e-9));
  CHECK(figure(r, "step_forward") + figure(r, "step_backward") == Approx(passes).margin(1e-9));
  // 2 sequences x 3 tokens per step.
  CHECK(figure(r, "training_tokens_per_second") == Approx(6 / (passes + sync + update)));
  // MFU: the batch's forward and backward FLOPs over the step at 2 x 1 GFLOP/s.
  CHECK(figure(r, "model_flops") == static_cast<double>(workload::training_flops(spec, 2, 3).count));
  CHECK(figure(r, "mfu") ==
        Approx(figure(r, "model_flops") / ((passes + sync + update) * 2e9)));
  // Conservation: what one node sends the other receives.
  CHECK(r.stats.nodes.at(0).payload_sent == r.stats.nodes.at(1).payload_received);
  CHECK(r.stats.nodes.at(0).payload_sent == Bytes{2 * params});  // half the vector in each of the two steps
  // The JSON report's memory per node by category: without ZeRO each replica holds 2 B of bf16 weights, 2 B of
  // gradients and 12 B of fp32 master copy and Adam moments per parameter.
  std::ostringstream json;
  report::write_json(json, r);
  CHECK_THAT(json.str(), Catch::Contains("\"gradient_bytes\" : " + std::to_string(2 * params)));
  CHECK_THAT(json.str(), Catch::Contains("\"optimizer_bytes\" : " + std::to_string(12 * params)));
  CHECK_THAT(json.str(), Catch::Contains("\"weight_bytes\" : " + std::to_string(2 * params)));
}

TEST_CASE("training: overlapping the gradient buckets with the backward hides communication") {
  TempDir dir;
  dir.write("pair.toml", kPair);
  const std::string base = std::string(kTiny) + "[plan]\nstrategy = \"data\"\nnodes = 2\ngradient_bucket = \"1 B\"\n";
  const scenario::Scenario after = scenario::load(dir.write("a.toml", base + "overlap_gradients = false\n"));
  const scenario::Scenario overlapped = scenario::load(dir.write("b.toml", base));
  const report::Result a = study::run_scenario(after);
  const report::Result b = study::run_scenario(overlapped);
  // The same four buckets either way (the LM head, layer 1, layer 0, the embedding), but overlapped they travel
  // while the backward of the earlier layers still computes, so less of them is on the critical path.
  CHECK(b.stats.transfers == a.stats.transfers);
  CHECK(figure(b, "step_gradient_sync") < figure(a, "step_gradient_sync"));
  CHECK(figure(b, "step_time") < figure(a, "step_time"));
}

TEST_CASE("training: the text report shows the step, its breakdown and memory by category") {
  TempDir dir;
  dir.write("pair.toml", kPair);
  const scenario::Scenario s =
      scenario::load(dir.write("t.toml", std::string(kTiny) + "[plan]\nstrategy = \"tensor\"\nnodes = 2\n"));
  std::ostringstream text;
  report::write_text(text, study::run_scenario(s));
  CHECK_THAT(text.str(), Catch::Contains("One training step"));
  CHECK_THAT(text.str(), Catch::Contains("1 replica of 1 stage x 2 tensor-parallel nodes"));
  CHECK_THAT(text.str(), Catch::Contains("its optimizer state"));
  CHECK_THAT(text.str(), Catch::Contains("backward"));
}

TEST_CASE("training: bad keys are errors at their position") {
  TempDir dir;
  dir.write("pair.toml", kPair);
  // kTiny is 19 lines; its [train] table starts at line 16.
  check_error(input_error([&] {
                std::string t = kTiny;
                t.insert(t.find("max_context"), "weights = \"q4_0\"\n");
                scenario::load(dir.write("a.toml", t));
              }),
              dir.path("a.toml"), 10, 11, {"transformer.weights", "train.precision"});
  check_error(input_error([&] {
                std::string t = kTiny;
                t.insert(t.find("batch = 2"), "context = 64\n");
                scenario::load(dir.write("b.toml", t));
              }),
              dir.path("b.toml"), 15, 11, {"run.context", "no KV cache"});
  check_error(input_error([&] {
                scenario::load(dir.write("c.toml", std::string(kTiny) + "optimiser = \"sgd\"\n"));
              }),
              dir.path("c.toml"), 20, 1, {"train.optimiser", "did you mean 'optimizer'"});
  check_error(input_error([&] {
                scenario::load(dir.write("d.toml", std::string(kTiny) + "[plan]\nstrategy = \"data\"\nnodes = 2\n"
                                                                         "data_parallel = 1\n"));
              }),
              dir.path("d.toml"), 23, 17, {"plan.data_parallel", "data_parallel = nodes"});
  check_error(input_error([&] {
                scenario::load(dir.write("e.toml", std::string(kTiny) + "[plan]\nstrategy = \"data\"\nnodes = 2\n"
                                                                         "micro_batches = 2\n"));
              }),
              dir.path("e.toml"), 23, 17, {"plan.micro_batches", "divisible by data_parallel x micro_batches"});
  // A training figure expected of an inference scenario.
  check_error(input_error([&] {
                std::string t = kTiny;
                t.erase(t.find("[train]"));
                scenario::load(dir.write("f.toml", t + "[expect]\nstep_time = { max = \"1 s\" }\n"));
              }),
              dir.path("f.toml"), 17, 13, {"step_time", "only a training step"});
}

TEST_CASE("training: ZeRO without replicas and the expert strategy on a dense model are refused") {
  TempDir dir;
  dir.write("pair.toml", kPair);
  // [plan] starts at line 20 (kTiny is 19 lines).
  check_error(input_error([&] {
                scenario::load(dir.write("a.toml", std::string(kTiny) + "[plan]\nstrategy = \"tensor\"\nnodes = 2\n"
                                                                         "zero = 1\n"));
              }),
              dir.path("a.toml"), 23, 8, {"plan.zero", "needs data_parallel > 1"});
  check_error(input_error([&] {
                scenario::load(dir.write("b.toml", std::string(kTiny) + "[plan]\nstrategy = \"expert\"\nnodes = 2\n"));
              }),
              dir.path("b.toml"), 21, 12, {"plan.strategy", "mixture of experts"});
}

TEST_CASE("training: compare puts step times side by side") {
  TempDir dir;
  dir.write("pair.toml", kPair);
  const std::string path = dir.write("t.toml", std::string(kTiny) + "[plan]\nstrategy = \"data\"\nnodes = 2\n");
  const shardsim::testing::Outcome o =
      shardsim::testing::cli({"compare", path, "--topology", dir.path("pair.toml"), "--topology", dir.path("pair.toml")});
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("step time"));
  CHECK_THAT(o.out, Catch::Contains("exposed gradient sync"));
  CHECK_THAT(o.out, !Catch::Contains("token latency"));
}
