// `shardsim run` names the other collectives and runtime versions that move the token latency: each figure it
// gives is the one a run with that choice made explicitly gives (a result the user can reproduce with --set).
#include <algorithm>
#include <catch2/catch.hpp>

#include "shardsim/study/alternatives.hpp"
#include "shardsim/study/pipeline.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

const std::string kSource = SHARDSIM_SOURCE_DIR;

Time latency_with(const std::string& scenario, const std::string& setting) {
  return study::run_scenario(scenario::load(kSource + "/" + scenario, {setting})).stats.token_latency;
}

}  // namespace

TEST_CASE("alternatives: every other collective of the seed layer, each as a run that names it would give") {
  const std::string path = "scenarios/seed-layer-4-batch6.toml";
  const scenario::Scenario s = scenario::load(kSource + "/" + path);
  report::Result r = study::run_scenario(s);
  study::add_alternatives(s, r);
  // The seed plan uses all-gathers: direct (the default here), ring, tree and hierarchical all support them.
  REQUIRE(r.alternatives.size() == 3);
  for (const report::Alternative& a : r.alternatives) {
    CAPTURE(a.value);
    CHECK(a.key == "plan.collective");
    CHECK_FALSE(a.chosen_by_user);
    CHECK(a.latency == latency_with(path, "plan.collective=\"" + a.value + "\""));
    CHECK(a.value != "direct");
  }
  CHECK(r.alternatives_skipped.empty());
}

TEST_CASE("alternatives: a runtime's other versions, each as a run that names it would give") {
  // Llama 2 7B on 8 Pi 4 under distributed-llama 0.1.0, which the user chose: every other behaviour class the
  // unit lists (plan::DllamaRuntime::versions) is tried, and each figure is a run naming that version.
  shardsim::testing::TempDir dir;
  const std::string path = dir.write("dl.toml", "topology = \"" + kSource + R"(/topologies/pi4-8-switch8.toml"
[transformer]
preset = "llama2-7b"
weights = "q4_0"
kv_cache = "fp32"
activations = "q8_0"
[plan]
runtime = "distributed-llama"
runtime_version = "0.1.0"
nodes = 8
[run]
context = 32
)");
  const scenario::Scenario s = scenario::load(path);
  report::Result r = study::run_scenario(s);
  study::add_alternatives(s, r);
  REQUIRE_FALSE(r.alternatives.empty());
  for (const report::Alternative& a : r.alternatives) {
    CAPTURE(a.value);
    CHECK(a.key == "plan.runtime_version");
    CHECK(a.chosen_by_user);
    CHECK(a.value != "0.1.0");
    // 0.1.0 ran 4 threads (its default); 0.12 on default to 1, but the alternative keeps the 4 the user runs.
    CHECK(a.latency ==
          study::run_scenario(scenario::load(path, {"plan.runtime_version=\"" + a.value + "\"", "plan.threads=4"}))
              .stats.token_latency);
  }
  // The mesh (0.11 on) keeps no sequential attention on the root: it is faster than 0.1.0 on 8 nodes.
  const auto fastest = std::min_element(r.alternatives.begin(), r.alternatives.end(),
                                        [](const auto& x, const auto& y) { return x.latency < y.latency; });
  CHECK(fastest->latency < r.stats.token_latency);
}

TEST_CASE("alternatives: not simulated above the event budget, and the report says which key to sweep") {
  const scenario::Scenario s = scenario::load(kSource + "/scenarios/seed-layer-4-batch6.toml");
  report::Result r = study::run_scenario(s);
  study::add_alternatives(s, r, 0);
  CHECK(r.alternatives.empty());
  CHECK(r.alternatives_skipped.find("sweep plan.collective") != std::string::npos);
}
