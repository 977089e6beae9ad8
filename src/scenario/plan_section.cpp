// [plan]. The plan's keys are the chosen strategy's own (strategy.hpp); what is read here is what
// every strategy shares: which one, and the collective algorithm, checked against the collectives the strategy
// says its plan needs.

#include <array>

#include "sections.hpp"
#include "shardsim/plan/strategy.hpp"

namespace shardsim::scenario {
namespace {

// "ring cannot do the seed plan's broadcast; choose direct, tree or hierarchical": the algorithms that can do
// every kind the plan needs.
std::string unsupported(collective::Algorithm algorithm, std::string_view strategy, collective::CollectiveKind kind,
                        const std::vector<collective::CollectiveKind>& kinds) {
  std::string message = std::string(collective::to_string(algorithm)) + " cannot do the " + std::string(strategy) +
                        " plan's " + std::string(collective::to_string(kind)) + "; choose";
  const char* separator = " ";
  for (const auto& [name, a] : collective::algorithm_names()) {
    bool all = true;
    for (const collective::CollectiveKind k : kinds) all = all && collective::supports(k, a);
    if (!all) continue;
    message.append(separator).append(name);
    separator = ", ";
  }
  return message;
}

}  // namespace

void read_plan(TomlReader& p, Scenario& s) { s.plan = read_plan_spec(p, s); }

plan::PlanSpec read_plan_spec(TomlReader& p, const Scenario& s) {
  plan::PlanSpec out;
  const bool training = s.run.training.has_value();
  const plan::Model model{s.transformer ? nullptr : &s.model, s.transformer ? &*s.transformer : nullptr};
  // A transformer (and a training step) is split tensor-parallel with ring collectives unless told otherwise; the
  // seed's MLP stack the notebook's way, every collective direct.
  const bool transformer = s.transformer.has_value();
  // plan.runtime names a runtime (a program people run) instead of a strategy.
  const bool runtime = p.has("runtime");
  if (runtime && p.has("strategy")) p.fail("runtime", "give plan.strategy or plan.runtime, not both");
  const std::string_view key = runtime ? "runtime" : "strategy";
  const std::string name = runtime ? *p.string("runtime") : p.string("strategy").value_or(transformer ? "tensor" : "seed");
  const plan::Strategy* strategy = plan::find_strategy(name);
  if (!strategy || strategy->is_runtime() != runtime) {
    std::string message = "unknown value '" + name + "'; expected one of:";
    for (const plan::Strategy* st : plan::strategies()) {
      if (st->is_runtime() == runtime) message.append(" ").append(st->name());
    }
    p.fail(key, message);
  }
  out.strategy = name;
  if (!strategy->has_collectives() && p.has("collective")) {
    p.fail("collective", "the " + name + " plan sends only point-to-point messages: it has no collective algorithm "
                                         "to choose");
  }
  out.algorithm_given = p.has("collective");
  out.algorithm = choice(p, "collective", collective::algorithm_names(),
                            transformer ? collective::Algorithm::ring : collective::Algorithm::direct);

  // plan.use, for every strategy: the plan is built on ranks and placed on these nodes (plan::place_on_nodes).
  out.use = plan::read_use(p, s.topology);
  const plan::PlanContext context{s.topology, model, s.run};
  if (training) {
    strategy->read_training(p, context, out);  // a strategy that does not train fails, naming those that do
  } else {
    strategy->read(p, context, out);
  }
  if (!out.use.empty() && static_cast<std::size_t>(out.nodes) != out.use.size()) {
    p.fail("nodes", "plan.use names " + std::to_string(out.use.size()) + " nodes, the plan uses " +
                        std::to_string(out.nodes));
  }
  const std::vector<collective::CollectiveKind> kinds = strategy->collectives(model, out, training);
  for (const collective::CollectiveKind kind : kinds) {
    if (!collective::supports(kind, out.algorithm)) {
      p.fail("collective", unsupported(out.algorithm, name, kind, kinds));
    }
  }
  out.groups = out.use.empty() ? plan::attachment_groups(s.topology, out.nodes)
                                : plan::attachment_groups(s.topology, out.use);
  p.finish();
  return out;
}

}  // namespace shardsim::scenario
