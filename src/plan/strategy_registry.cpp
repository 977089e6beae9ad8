#include <algorithm>
#include <array>
#include <variant>

#include "shardsim/plan/memory_fit.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::plan {

// Every strategy there is, each defined in its own file (<name>_strategy.cpp). A new one is one line here.
const Strategy& seed_strategy();
const Strategy& tensor_strategy();
const Strategy& pipeline_strategy();
const Strategy& expert_strategy();
const Strategy& data_strategy();
const Strategy& dllama_runtime();
const Strategy& llama_rpc_runtime();
const Strategy& exo_runtime();

std::span<const Strategy* const> strategies() {
  static const std::array all{&seed_strategy(), &tensor_strategy(), &pipeline_strategy(), &expert_strategy(),
                             &data_strategy(), &dllama_runtime(),
                             &llama_rpc_runtime(), &exo_runtime()};
  return all;
}

const Strategy* find_strategy(std::string_view name) {
  const auto all = strategies();
  const auto it = std::find_if(all.begin(), all.end(), [&](const Strategy* s) { return s->name() == name; });
  return it == all.end() ? nullptr : *it;
}

const Strategy& strategy_of(const PlanSpec& spec) {
  const Strategy* s = find_strategy(spec.strategy);
  require(s != nullptr, "plan: the spec names no registered strategy");
  return *s;
}

void Strategy::read_training(KeyReader& keys, const PlanContext&, PlanSpec&) const {
  std::string message = "the " + std::string(name()) + " strategy does not train; a training step ([train]) runs";
  for (const Strategy* s : strategies()) {
    if (s->trains()) message.append(" ").append(s->name());
  }
  keys.fail("strategy", message);
}

PlannedWorkload Strategy::build_training(const workload::TransformerSpec&, const workload::TrainingRun&,
                                         std::int64_t, const PlanSpec&) const {
  throw InternalError("plan: " + std::string(name()) + " does not train");
}

std::optional<SeedLayerFigures> Strategy::layer_figures(const Model&, const PlanSpec&, std::int64_t) const {
  return std::nullopt;
}

void place_on_nodes(PlannedWorkload& planned, const PlanSpec& spec) {
  if (spec.use.empty()) return;
  auto node = [&spec](NodeId rank) {
    require(rank >= 0 && static_cast<std::size_t>(rank) < spec.use.size(), "plan: an op on a rank beyond plan.use");
    return spec.use[static_cast<std::size_t>(rank)];
  };
  for (Block& block : planned.graph.blocks) {
    for (Op& op : block.ops) {
      if (auto* compute = std::get_if<ComputeOp>(&op.kind)) {
        compute->node = node(compute->node);
      } else {
        for (NodeId& member : std::get<CollectiveOp>(op.kind).members) member = node(member);
      }
    }
  }
  for (NodeId& n : planned.nodes) n = node(n);
}

PlannedWorkload plan_training_step(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                   std::int64_t batch, const PlanSpec& plan) {
  PlannedWorkload planned = strategy_of(plan).build_training(spec, run, batch, plan);
  place_on_nodes(planned, plan);
  return planned;
}

PlannedWorkload plan_pass(const topo::Topology& topology, const Model& model, const PlanSpec& spec,
                          const workload::PassShape& pass, std::int64_t pass_index) {
  PlannedWorkload planned = strategy_of(spec).build(model, pass, spec, pass_index);
  place_on_nodes(planned, spec);
  planned.graph.streamed = streamed_fractions(topology, planned);
  return planned;
}

}  // namespace shardsim::plan
