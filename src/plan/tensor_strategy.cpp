// The `tensor` strategy as a unit (strategy.hpp): Megatron-style tensor parallelism over all of the plan's nodes,
// of a transformer (tensor_plan.hpp) or of the seed's MLP stack (tensor_mlp_plan.hpp); in training, each
// data-parallel replica is one tensor group (training_plan.hpp with one stage).

#include <algorithm>

#include "shardsim/plan/partition.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/plan/tensor_mlp_plan.hpp"
#include "shardsim/plan/tensor_plan.hpp"
#include "training_strategy.hpp"

namespace shardsim::plan {
namespace {

class TensorStrategy final : public LayoutTrainingStrategy {
 public:
  std::string_view name() const override { return "tensor"; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    const std::int64_t available = available_nodes(ctx.topology, spec);
    if (ctx.model.mlp) {
      const std::int64_t d_ff = ctx.model.mlp->d_ff;
      const std::int64_t most = std::min(available, d_ff);
      spec.nodes = read_nodes(keys, most, most, available,
                              "every node needs at least one of the d_ff = " + std::to_string(d_ff) + " columns");
      // The columns by weight (largest remainder); weights that come out balanced are the even plan.
      spec.rank_weights = read_split_weights(keys, ctx.topology, spec, spec.nodes, 1, "node");
      if (!spec.rank_weights.empty()) {
        const std::vector<Range> columns = weighted_split(d_ff, spec.rank_weights);
        const std::vector<Range> even = balanced_split(d_ff, spec.nodes);
        bool balanced = true;
        for (std::size_t r = 0; r < columns.size(); ++r) balanced = balanced && columns[r].size == even[r].size;
        if (balanced) spec.rank_weights.clear();
      }
      return;
    }
    spec.nodes = read_nodes(keys, available, available, available);
    // plan.split: heads, columns and rows by weight (tensor_split.hpp); weights that come out even are the even plan.
    spec.rank_weights = read_split_weights(keys, ctx.topology, spec, spec.nodes, 1, "node");
    if (!spec.rank_weights.empty()) {
      const TensorExtents extents = tensor_extents(*ctx.model.transformer);
      const TensorSplitResult split = uneven_tensor_split(extents, spec.rank_weights);
      if (!split.split) keys.fail("split", split.problem);
      if (is_even_tensor_split(extents, *split.split)) spec.rank_weights.clear();
    }
    if (spec.rank_weights.empty()) {
      if (const std::string problem = tensor_plan_problem(*ctx.model.transformer, spec.nodes); !problem.empty()) {
        keys.fail("nodes", problem);
      }
    }
  }

  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& spec,
                        std::int64_t) const override {
    if (model.mlp) return build_tensor_mlp_plan(*model.mlp, pass.batch, spec);
    return build_tensor_plan(*model.transformer, pass, spec);
  }

  // The transformer's layer block (tensor_plan.hpp); nothing known for the MLP stack.
  PlanFloor floor(const Model& model, const workload::PassShape& pass, const PlanSpec& spec) const override {
    if (!model.transformer) return {};
    return tensor_plan_floor(*model.transformer, pass, spec);
  }

  void read_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    read_layout_training(keys, ctx, spec, TensorDegree::per_replica, false);
  }

  // One all-reduce per layer for the MLP stack (its input broadcast falls back to a tree where the algorithm has no
  // broadcast); a transformer's two all-reduces per layer and the logits' gather. Training also reduce-scatters and
  // all-gathers gradients and weights over the replicas.
  std::vector<collective::CollectiveKind> collectives(const Model& model, const PlanSpec&,
                                                      bool training) const override {
    using collective::CollectiveKind;
    if (training) return training_collectives();
    if (model.mlp) return {CollectiveKind::all_reduce};
    return {CollectiveKind::all_reduce, CollectiveKind::gather};
  }

  std::string describe(const Model& model, const PlanSpec& spec, const workload::RunOptions& run) const override {
    if (run.training) return describe_layout_training(spec);
    std::string out = "tensor parallel on " + std::to_string(spec.nodes) + " nodes, ";
    if (!spec.rank_weights.empty() && model.transformer) {
      const TensorSplit split = *uneven_tensor_split(tensor_extents(*model.transformer), spec.rank_weights).split;
      out += "heads per node";
      for (std::size_t r = 0; r < split.heads.size(); ++r) {
        out.append(r ? "/" : " ").append(std::to_string(split.heads[r].size));
      }
      out += ", d_ff columns";
      for (std::size_t r = 0; r < split.ff.size(); ++r) out.append(r ? "/" : " ").append(std::to_string(split.ff[r].size));
      out += ", ";
    } else if (!spec.rank_weights.empty()) {
      out += "d_ff columns";
      const std::vector<Range> columns = weighted_split(model.mlp->d_ff, spec.rank_weights);
      for (std::size_t r = 0; r < columns.size(); ++r) {
        out.append(r ? "/" : " ").append(std::to_string(columns[r].size));
      }
      out += ", ";
    }
    out += std::string(collective::to_string(spec.algorithm)) + " collectives, batch " + std::to_string(run.batch);
    if (model.transformer) out += ", context " + std::to_string(run.context) + " tokens";
    return out;
  }
};

}  // namespace

const Strategy& tensor_strategy() {
  static const TensorStrategy unit;
  return unit;
}

}  // namespace shardsim::plan
