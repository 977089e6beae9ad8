// The `data` strategy as a unit (strategy.hpp): pure data parallelism for training, every node a whole replica of
// the model (training_plan.hpp with data_parallel = nodes, one stage of one node).

#include "shardsim/plan/strategy.hpp"
#include "training_strategy.hpp"

namespace shardsim::plan {
namespace {

class DataStrategy final : public LayoutTrainingStrategy {
 public:
  std::string_view name() const override { return "data"; }

  void read(KeyReader& keys, const PlanContext&, PlanSpec&) const override {
    keys.fail("strategy", "the data strategy replicates the model for training steps ([train]); inference splits "
                          "it with seed, tensor, pipeline or expert");
  }
  PlannedWorkload build(const Model&, const workload::PassShape&, const PlanSpec&, std::int64_t) const override {
    throw InternalError("plan: the data strategy only trains");
  }

  void read_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    read_layout_training(keys, ctx, spec, TensorDegree::per_replica, true);
  }

  // The gradients' all-reduce (reduce-scatter under ZeRO) and ZeRO's all-gathers of weights.
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec&, bool) const override {
    return training_collectives();
  }

  std::string describe(const Model&, const PlanSpec& spec, const workload::RunOptions&) const override {
    return describe_layout_training(spec);
  }
};

}  // namespace

const Strategy& data_strategy() {
  static const DataStrategy unit;
  return unit;
}

}  // namespace shardsim::plan
