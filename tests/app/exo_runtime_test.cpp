// exo's ring as a plan (plan.runtime = "exo", src/plan/exo_runtime.cpp): shards sized by memory as
// map_partitions_to_shards cuts them, the bytes of a token's hops and status broadcasts worked out by hand, and its
// limits as errors at the key.
#include <catch2/catch.hpp>

#include "shardsim/study/pipeline.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

const std::string kSource = SHARDSIM_SOURCE_DIR;

// TinyLlama (22 layers, d_model 2048, fp16) on Pi 5 8 GB boards, all alike: even shares.
std::string exo_file(int nodes, const std::string& weights = "fp16") {
  return "topology = \"" + kSource + "/topologies/pi5-8gb-switch8.toml\"\n" + R"([transformer]
preset = "tinyllama-1.1b"
weights = ")" + weights + R"("
activations = "fp16"
[plan]
runtime = "exo"
nodes = )" + std::to_string(nodes) + "\n[run]\ncontext = 32\n";
}

}  // namespace

TEST_CASE("exo: shards of int(start x L) .. int(end x L) - 1 layers, the last to L - 1") {
  TempDir dir;
  // Four equal memories: starts 0, 0.25, 0.5, 0.75 of 22 layers: int() gives 0, 5, 11, 16: shards 5, 6, 5, 6.
  const scenario::Scenario s = scenario::load(dir.write("four.toml", exo_file(4)));
  CHECK_THAT(plan::strategy_of(s.plan).describe(study::model_of(s), s.plan, s.run),
             Catch::Matchers::Contains("rank 0 (5 layers) -> rank 1 (6 layers) -> rank 2 (5 layers) -> rank 3 (6 layers)"));
}

TEST_CASE("exo: a token's bytes, the hop, the status broadcasts and the result, by hand") {
  TempDir dir;
  // Two nodes, context 32 (32 tokens so far). Node 0: status to node 1 before and after its shard (2 x 400 B).
  // Node 1: the hidden state from node 0 (200 B framing + 2048 x 2 B fp16 = 4296 B), its two statuses (800 B),
  // then the result (200 + 8 x 32 tokens = 456 B) and the new token to node 0 (200 + 8 = 208 B):
  // 800 + 4296 + 800 + 456 + 208 = 6560 B in 7 messages.
  const report::Result r = study::run_scenario(scenario::load(dir.write("two.toml", exo_file(2))));
  CHECK(r.stats.nodes[0].payload_sent.count + r.stats.nodes[1].payload_sent.count == 6560);
  CHECK(r.stats.nodes[0].payload_sent.count == 800 + 4296);
  const report::Result one = study::run_scenario(scenario::load(dir.write("one.toml", exo_file(1))));
  CHECK(one.stats.nodes[0].payload_sent.count == 0);
  // Shards run one after the other: two nodes are no faster than one.
  CHECK(r.stats.token_latency >= one.stats.token_latency);
}

TEST_CASE("exo: its tinygrad engine loads fp16 or fp32 weights, an error at plan.runtime otherwise") {
  TempDir dir;
  check_error(input_error([&] { scenario::load(dir.write("q.toml", exo_file(2, "q4_0"))); }), dir.path("q.toml"), 7, 11,
              {"plan.runtime", "fp16 or fp32"});
}
