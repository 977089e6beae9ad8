// The `expert` strategy as a unit (strategy.hpp): a mixture of experts spread over the nodes, everything else on
// node 0 (expert_plan.hpp; in training, expert_training_plan.cpp). Its messages are point-to-point (each expert's
// rows out from node 0 and back), so it has no collective algorithm to choose and plan.collective is refused.

#include <array>

#include <algorithm>

#include "shardsim/plan/expert_plan.hpp"
#include "shardsim/plan/partition.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/plan/training_plan.hpp"
#include "training_strategy.hpp"

namespace shardsim::plan {
namespace {

// routing and seed, and the nodes: by default one per expert, as many as the cluster has.
void read_experts(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) {
  static constexpr std::array<std::pair<std::string_view, Routing>, 2> routings{
      {{"seeded", Routing::seeded}, {"worst", Routing::worst}}};
  spec.routing = choice(keys, "routing", routings, Routing::seeded);
  spec.seed = static_cast<std::uint64_t>(integer_in(keys, "seed", 1, 0, INT64_MAX));
  const std::int64_t available = available_nodes(ctx.topology, spec);
  spec.nodes = read_nodes(keys, std::min<std::int64_t>(available, ctx.model.transformer->experts), available,
                          available);
}

std::string routing_text(const PlanSpec& spec) {
  return spec.routing == Routing::worst ? "worst-case routing" : "seeded (" + std::to_string(spec.seed) + ") routing";
}

class ExpertStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "expert"; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    if (!ctx.model.transformer) keys.fail("strategy", "the expert plan needs a [transformer] model");
    read_experts(keys, ctx, spec);
    // plan.split: experts per node by weight; weights that come out even (e mod N holds as many) are the even plan.
    spec.rank_weights = read_split_weights(keys, ctx.topology, spec, spec.nodes, 1, "node");
    if (!spec.rank_weights.empty()) {
      const std::int64_t experts = ctx.model.transformer->experts;
      bool even = experts % spec.nodes == 0;
      for (const Range& r : weighted_split(experts, spec.rank_weights)) even = even && r.size == experts / spec.nodes;
      if (even) spec.rank_weights.clear();
    }
    if (std::optional<Problem> problem =
            expert_plan_problem(*ctx.model.transformer, spec.nodes, spec.rank_weights)) {
      fail_at(keys, *problem, "strategy");
    }
  }

  // Seeded routing: the k-th pass of a generation draws its experts from seed + k, so every token routes
  // differently yet the whole generation is reproducible.
  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& spec,
                        std::int64_t pass_index) const override {
    PlanSpec p = spec;
    p.seed += static_cast<std::uint64_t>(pass_index);
    return build_expert_plan(*model.transformer, pass, p);
  }

  bool trains() const override { return true; }
  void read_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    spec.data_parallel = static_cast<int>(integer_in(keys, "data_parallel", 1, 1, available_nodes(ctx.topology, spec)));
    if (keys.has("tensor_degree")) keys.fail("tensor_degree", "only the pipeline strategy has stages of tensor groups");
    read_step_keys(keys, spec);
    read_experts(keys, ctx, spec);
    if (std::optional<Problem> problem = expert_training_problem(*ctx.model.transformer, ctx.run.batch, spec)) {
      fail_at(keys, *problem, "nodes");
    }
  }
  PlannedWorkload build_training(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                 std::int64_t batch, const PlanSpec& plan) const override {
    return build_expert_training_plan(spec, run, batch, plan);
  }

  bool has_collectives() const override { return false; }
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec&, bool) const override {
    return {};
  }

  std::string describe(const Model& model, const PlanSpec& spec, const workload::RunOptions& run) const override {
    if (run.training) {
      return "training: experts over " + std::to_string(spec.nodes) + " nodes (the rest on node 0), " +
             routing_text(spec);
    }
    std::string split;
    if (!spec.rank_weights.empty()) {
      split = ", experts per node";
      const std::vector<Range> blocks = weighted_split(model.transformer->experts, spec.rank_weights);
      for (std::size_t i = 0; i < blocks.size(); ++i) split.append(i ? "/" : " ").append(std::to_string(blocks[i].size));
    }
    return "experts over " + std::to_string(spec.nodes) + " nodes (attention on node 0)" + split + ", " +
           routing_text(spec) +
           ", batch " + std::to_string(run.batch) + ", context " + std::to_string(run.context) + " tokens";
  }
};

}  // namespace

const Strategy& expert_strategy() {
  static const ExpertStrategy unit;
  return unit;
}

}  // namespace shardsim::plan
