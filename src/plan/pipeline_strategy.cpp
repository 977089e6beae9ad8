// The `pipeline` strategy as a unit (strategy.hpp): contiguous layer stages of tensor_degree nodes each, with
// micro-batches (pipeline_plan.hpp); in training, data_parallel replicas of such stages (training_plan.hpp).

#include <algorithm>

#include "shardsim/plan/partition.hpp"

#include "shardsim/plan/pipeline_plan.hpp"
#include "shardsim/plan/strategy.hpp"
#include "training_strategy.hpp"

namespace shardsim::plan {
namespace {

// plan.split: the layers of each stage, in proportion to the weights read_split_weights gives a stage (its smallest
// node's RAM or bandwidth: a stage's layers are cut evenly over its tensor group, so its smallest node limits it).
// Every layer is assigned to exactly one stage (weighted_split); a stage given no layer is refused.
std::vector<std::int64_t> read_split(KeyReader& keys, const topo::Topology& topology,
                                     const workload::TransformerSpec& model, const PlanSpec& spec) {
  const int stages = spec.nodes / spec.tensor_degree;
  const std::vector<double> weights = read_split_weights(keys, topology, spec, stages, spec.tensor_degree, "stage");
  if (weights.empty()) return {};
  std::vector<std::int64_t> layers;
  bool balanced = true;
  const std::vector<Range> even = balanced_split(model.layers, stages);
  for (const Range& r : weighted_split(model.layers, weights)) {
    balanced = balanced && r.size == even[layers.size()].size;
    if (r.size == 0) {
      keys.fail("split", "stage " + std::to_string(layers.size()) + " would get no layer of " +
                             std::to_string(model.layers));
    }
    layers.push_back(r.size);
  }
  // Weights that give the balanced split (identical nodes) are the even plan: one spelling for one plan.
  if (balanced) layers.clear();
  return layers;
}

class PipelineStrategy final : public LayoutTrainingStrategy {
 public:
  std::string_view name() const override { return "pipeline"; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    if (!ctx.model.transformer) keys.fail("strategy", "the pipeline plan needs a [transformer] model");
    const workload::TransformerSpec& model = *ctx.model.transformer;
    const std::int64_t available = available_nodes(ctx.topology, spec);
    spec.tensor_degree = static_cast<int>(integer_in(keys, "tensor_degree", 1, 1, available));
    // By default as many stages of tensor_degree nodes as the cluster (or plan.use) holds, at most one per layer.
    const std::int64_t stages = std::min<std::int64_t>(available / spec.tensor_degree, model.layers);
    spec.nodes = read_nodes(keys, stages * spec.tensor_degree, available, available);
    spec.micro_batches = static_cast<int>(integer_in(keys, "micro_batches", 1, 1, 4096));
    if (std::optional<Problem> problem =
            pipeline_plan_problem(model, spec.nodes, spec.tensor_degree, ctx.run.batch, spec.micro_batches)) {
      fail_at(keys, *problem, "nodes");
    }
    spec.stage_layers = read_split(keys, ctx.topology, model, spec);
  }

  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& spec,
                        std::int64_t) const override {
    return build_pipeline_plan(*model.transformer, pass, spec);
  }
  PlanFloor floor(const Model& model, const workload::PassShape& pass, const PlanSpec& spec) const override {
    return pipeline_plan_floor(*model.transformer, pass, spec);
  }

  void read_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    read_layout_training(keys, ctx, spec, TensorDegree::from_key, false);
  }

  // Stages of one node have no collective; tensor groups all-reduce twice per layer and gather the logits.
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec& spec,
                                                      bool training) const override {
    using collective::CollectiveKind;
    if (training) return training_collectives();
    if (spec.tensor_degree == 1) return {};
    return {CollectiveKind::all_reduce, CollectiveKind::gather};
  }

  std::string describe(const Model&, const PlanSpec& spec, const workload::RunOptions& run) const override {
    if (run.training) return describe_layout_training(spec);
    std::string out = "pipeline of " + std::to_string(spec.nodes / spec.tensor_degree) + " stages";
    if (spec.tensor_degree > 1) {
      out += " of " + std::to_string(spec.tensor_degree) + " tensor-parallel nodes (" +
             std::string(collective::to_string(spec.algorithm)) + " collectives)";
    }
    if (!spec.stage_layers.empty()) {
      out += ", layers per stage";
      for (std::size_t s = 0; s < spec.stage_layers.size(); ++s) {
        out.append(s ? "/" : " ").append(std::to_string(spec.stage_layers[s]));
      }
    }
    return out + ", " + std::to_string(spec.micro_batches) + " micro-batches, batch " + std::to_string(run.batch) +
           ", context " + std::to_string(run.context) + " tokens";
  }
};

}  // namespace

const Strategy& pipeline_strategy() {
  static const PipelineStrategy unit;
  return unit;
}

}  // namespace shardsim::plan
