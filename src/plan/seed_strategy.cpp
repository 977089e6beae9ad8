// The seed notebook's strategy as a unit (strategy.hpp): the MLP stack split as seed_plan.hpp says.

#include <algorithm>

#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/plan/strategy.hpp"

namespace shardsim::plan {
namespace {

class SeedStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "seed"; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    if (!ctx.model.mlp) {
      keys.fail("strategy", "the seed plan splits a [model] MLP stack; a [transformer] needs \"tensor\", "
                            "\"pipeline\" or \"expert\"");
    }
    // Every node must hold at least one column of each matrix.
    const workload::ModelSpec& m = *ctx.model.mlp;
    const std::int64_t available = available_nodes(ctx.topology, spec);
    const std::int64_t most = std::min({available, m.d_model, m.d_ff});
    spec.nodes = read_nodes(keys, available, most, available,
                            "every node needs at least one column of d_model = " + std::to_string(m.d_model));
  }

  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& spec,
                        std::int64_t) const override {
    return build_seed_plan(*model.mlp, pass.batch, spec);
  }
  PlanFloor floor(const Model& model, const workload::PassShape&, const PlanSpec& spec) const override {
    return seed_plan_floor(*model.mlp, spec);
  }

  // The notebook broadcasts x, all-gathers the activation and gathers the output, all with one algorithm.
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec&, bool) const override {
    return {collective::CollectiveKind::broadcast, collective::CollectiveKind::all_gather,
            collective::CollectiveKind::gather};
  }

  std::string describe(const Model&, const PlanSpec& spec, const workload::RunOptions& run) const override {
    return "seed on " + std::to_string(spec.nodes) + " nodes, " + std::string(collective::to_string(spec.algorithm)) +
           " collectives, batch " + std::to_string(run.batch);
  }

  std::optional<SeedLayerFigures> layer_figures(const Model& model, const PlanSpec& spec,
                                                std::int64_t batch) const override {
    return seed_layer_figures(*model.mlp, batch, spec.nodes);
  }
};

}  // namespace

const Strategy& seed_strategy() {
  static const SeedStrategy unit;
  return unit;
}

}  // namespace shardsim::plan
