#include "shardsim/study/alternatives.hpp"

#include "shardsim/exec/executor.hpp"
#include "shardsim/study/pipeline.hpp"

namespace shardsim::study {
namespace {

// The scenario's plan with one choice changed.
struct Candidate {
  std::string key;
  std::string value;
  bool given;  // the scenario names the key
  plan::PlanSpec plan;
};

std::vector<Candidate> candidates(const scenario::Scenario& scenario) {
  std::vector<Candidate> out;
  const plan::Strategy& strategy = plan::strategy_of(scenario.plan);
  for (const std::string& version : strategy.versions()) {
    if (version == scenario.plan.runtime.version) continue;
    plan::PlanSpec other = strategy.with_version(scenario.plan, version);
    // A version may refuse what the chosen one runs (more nodes than KV heads, say): then it is no alternative.
    if (!strategy.accepts(model_of(scenario), other, scenario.run)) continue;
    out.push_back({"plan.runtime_version", version, scenario.plan.runtime.version_given, std::move(other)});
  }
  if (!strategy.has_collectives()) return out;
  const std::vector<collective::CollectiveKind> kinds =
      strategy.collectives(model_of(scenario), scenario.plan, scenario.run.training.has_value());
  if (kinds.empty()) return out;
  for (const auto& [name, algorithm] : collective::algorithm_names()) {
    if (algorithm == scenario.plan.algorithm) continue;
    bool all = true;
    for (const collective::CollectiveKind k : kinds) all = all && collective::supports(k, algorithm);
    if (!all) continue;
    plan::PlanSpec other = scenario.plan;
    other.algorithm = algorithm;
    out.push_back({"plan.collective", std::string(name), scenario.plan.algorithm_given, std::move(other)});
  }
  return out;
}

}  // namespace

void add_alternatives(const scenario::Scenario& scenario, report::Result& result, std::uint64_t event_budget) {
  const std::vector<Candidate> all = candidates(scenario);
  if (all.empty()) return;
  const std::uint64_t estimate = result.stats.events * all.size();
  if (estimate > event_budget) {
    result.alternatives_skipped = "not simulated: the " + std::to_string(all.size()) + " other choices would take " +
                                  "about " + std::to_string(estimate / 1'000'000) + " M events (sweep " +
                                  all.front().key + " to compare them)";
    return;
  }
  for (const Candidate& c : all) {
    const Time latency =
        exec::execute(scenario.topology, plan_scenario(scenario, c.plan).graph, scenario.network).token_latency;
    result.alternatives.push_back({c.key, c.value, c.given, latency});
  }
}

}  // namespace shardsim::study
