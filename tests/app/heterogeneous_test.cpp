// Pipelines over mixed nodes: plan.use names the nodes by rank, plan.split weighs the layers per stage ("memory",
// "speed" or explicit weights). Every layer is assigned once, and each node's parameters, weight bytes and FLOPs
// are the hand-derived figures of the layers it holds.

#include <catch2/catch.hpp>

#include "shardsim/study/pipeline.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

// Two 4 GiB boards at 5 GB/s (pi0, pi1) and a 16 GiB desktop at 35 GB/s (desk), declared in that order, on one
// switch; a transformer small enough to count: d_model 8, 8 layers, 2 heads of 4 on 2 KV heads, SwiGLU of 12,
// vocabulary 11, fp32 throughout.
std::string write_case(const testing::TempDir& dir, const std::string& plan) {
  dir.write("topo.toml", R"([node_types.big]
ram = "16 GiB"
memory_bandwidth = "35 GB/s"
flop_rate = "500 GFLOP/s"
[node_types.small]
ram = "4 GiB"
memory_bandwidth = "5 GB/s"
flop_rate = "30 GFLOP/s"
[[switches]]
name = "sw"
[[nodes]]
name = "pi0"
type = "small"
[[nodes]]
name = "pi1"
type = "small"
[[nodes]]
name = "desk"
type = "big"
[[links]]
a = "pi0"
b = "sw"
bandwidth = "1 Gbit/s"
[[links]]
a = "pi1"
b = "sw"
bandwidth = "1 Gbit/s"
[[links]]
a = "desk"
b = "sw"
bandwidth = "1 Gbit/s"
)");
  return dir.write("s.toml", R"(topology = "topo.toml"
[transformer]
vocab = 11
d_model = 8
layers = 8
heads = 2
kv_heads = 2
head_dim = 4
d_ff = 12
mlp = "swiglu"
max_context = 64
weights = "fp32"
kv_cache = "fp32"
activations = "fp32"
[run]
batch = 1
context = 16
[plan]
strategy = "pipeline"
)" + plan);
}

// Parameters of one layer: attention q, k, v, o of 8 x 8 each (2 KV heads of 4 = 8 columns) = 256; SwiGLU gate,
// up and down of 8 x 12 each = 288; two RMS norms of 8 = 16. Total 560.
constexpr std::int64_t kLayerParams = 560;
// The embedding (11 x 8 = 88) on the first stage; the final norm (8) and the untied LM head (88) on the last.
constexpr std::int64_t kEmbedding = 88, kHead = 8 + 88;

}  // namespace

TEST_CASE("pipeline split \"3,1\" over the named nodes: 6 and 2 layers, each node's figures by hand") {
  testing::TempDir dir;
  const report::Result r = study::run_scenario(scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"3,1\"\n")));
  // Rank 0 is the desktop (node 2), rank 1 pi0 (node 0): plan.use, not the first two nodes.
  REQUIRE(r.plan_nodes == std::vector<plan::NodeId>{2, 0});
  // 8 layers x 3/4 = 6 and 8 x 1/4 = 2, exactly.
  CHECK(r.footprint[0].params == 6 * kLayerParams + kEmbedding);  // 3448
  CHECK(r.footprint[1].params == 2 * kLayerParams + kHead);       // 1216
  CHECK(r.footprint[0].weights.count == 4 * (6 * kLayerParams + kEmbedding));
  CHECK(r.footprint[1].weights.count == 4 * (2 * kLayerParams + kHead));
  // FLOPs: every layer costs the same, so the desktop's are 6 layers' and pi0's 2 layers' plus the LM head's
  // 2 x 11 x 8 = 176 (one row); pi1 is not used.
  const Flop desk = r.stats.nodes[2].flops, pi0 = r.stats.nodes[0].flops;
  REQUIRE(desk.count % 6 == 0);
  const std::int64_t layer = desk.count / 6;
  CHECK(pi0.count == 2 * layer + 2 * 11 * 8);
  CHECK(r.stats.nodes[1].flops.count == 0);
  // One layer at context 16: its matmuls 2 x 544 = 1088 and attention 2 x 2 x (2 heads x 4) x 16 = 512, so at
  // least 1600 (norms, rotary and SwiGLU elementwise work add a little).
  CHECK(layer >= 1600);
  CHECK(layer < 2000);
}

TEST_CASE("pipeline split by memory and by speed: stages in proportion to RAM and to bandwidth") {
  testing::TempDir dir;
  // RAM 16 : 4 GiB: 8 x 0.8 = 6.4 and 1.6 layers: floors 6 and 1, the left-over layer to the larger remainder
  // (0.6, pi0): 6 and 2.
  const scenario::Scenario memory = scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"memory\"\n"));
  CHECK(memory.plan.stage_layers == std::vector<std::int64_t>{6, 2});
  // Bandwidth 35 : 5 GB/s: 7 and 1 layers.
  const scenario::Scenario speed = scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"speed\"\n"));
  CHECK(speed.plan.stage_layers == std::vector<std::int64_t>{7, 1});
  const report::Result r = study::run_scenario(speed);
  CHECK(r.footprint[0].params == 7 * kLayerParams + kEmbedding);
  CHECK(r.footprint[1].params == 1 * kLayerParams + kHead);
  // Over identical nodes "memory" is the balanced split: the even plan (no stage_layers), one spelling per plan.
  const scenario::Scenario even = scenario::load(write_case(dir, "use = [\"pi1\", \"pi0\"]\nsplit = \"memory\"\n"));
  CHECK(even.plan.stage_layers.empty());
}

TEST_CASE("plan.use and plan.split refuse what they cannot do, at the key") {
  testing::TempDir dir;
  auto message = [&](const std::string& plan) {
    try {
      scenario::load(write_case(dir, plan));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message("use = [\"desk\", \"pi9\"]\n"), Catch::Contains("plan.use") && Catch::Contains("'pi9' is not"));
  CHECK_THAT(message("use = [\"desk\", \"desk\"]\n"), Catch::Contains("named twice"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nnodes = 3\n"), Catch::Contains("plan.nodes"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"3,1,1\"\n"), Catch::Contains("3 weights for 2 stages"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"fast\"\n"), Catch::Contains("plan.split"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"100,1\"\n"), Catch::Contains("would get no layer"));
  // The error names the file, line and column of the key (line 21, `split = ` is 8 characters: column 9).
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"fast\"\n"), Catch::Contains("s.toml:21:9: plan.split"));
}
