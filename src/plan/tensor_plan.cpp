#include "shardsim/plan/tensor_plan.hpp"

#include "shardsim/util/error.hpp"

namespace shardsim::plan {

std::string tensor_plan_problem(const workload::TransformerSpec& spec, int degree) {
  const std::int64_t t = degree;
  const std::int64_t kv = spec.resolved_kv_heads();
  if (t < 1) return "the tensor-parallel degree (" + std::to_string(t) + ") must be at least 1";
  if (spec.heads % t != 0) {
    return "heads (" + std::to_string(spec.heads) + ") must be divisible by the tensor-parallel degree (" +
           std::to_string(t) + ")";
  }
  if (kv % t != 0 && t % kv != 0) {
    return "kv_heads (" + std::to_string(kv) + ") must be divisible by the tensor-parallel degree (" +
           std::to_string(t) + "), or the degree by kv_heads";
  }
  if (spec.d_ff < t) return "d_ff (" + std::to_string(spec.d_ff) + ") must be at least the degree (" + std::to_string(t) + ")";
  if (spec.vocab < t) return "vocab must be at least the degree";
  return "";
}

PlannedWorkload build_tensor_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                  const PlanSpec& plan) {
  const std::int64_t t = plan.nodes;
  const workload::PassCost cost = workload::pass_cost(spec, pass);
  PlannedWorkload out;
  TensorGroup group{{}, plan.algorithm, plan.groups, std::nullopt};
  if (plan.rank_weights.empty()) {
    require(tensor_plan_problem(spec, plan.nodes).empty(), "tensor plan: invalid degree");
  } else {
    group.uneven = uneven_tensor_split(tensor_extents(spec), plan.rank_weights).split;
    require(group.uneven && group.uneven->degree() == t, "tensor plan: invalid uneven split");
  }
  for (int i = 0; i < plan.nodes; ++i) {
    out.nodes.push_back(i);
    group.nodes.push_back(i);
  }
  const std::vector<std::vector<plan::OpId>> none(static_cast<std::size_t>(t));
  // Three blocks: every rank embeds its input; the layers (all alike, so one is simulated and repeated); the
  // LM head's vocabulary slices gathered to node 0.
  plan::Block embed{"embed", 1, {}};
  append_tensor_edge(embed, "", spec, pass, cost.pre, group, none);
  plan::Block layer{"layer", spec.layers, {}};
  append_tensor_layer(layer, "", spec, pass, cost.layer, group, none);
  plan::Block head{"head", 1, {}};
  append_tensor_edge(head, "", spec, pass, cost.post, group, none);
  out.graph.blocks = {std::move(embed), std::move(layer), std::move(head)};
  for (std::int64_t r = 0; r < t; ++r) {
    out.footprint.push_back(group.uneven ? tensor_rank_footprint(spec, pass, pass.batch, spec.layers, true, true,
                                                                 *group.uneven, r)
                                         : tensor_rank_footprint(spec, pass, pass.batch, spec.layers, true, true, t, r));
  }
  return out;
}

PlanFloor tensor_plan_floor(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                            const PlanSpec& plan) {
  const double t = plan.nodes;
  PlanFloor floor;
  floor.compute_ops = t * static_cast<double>(workload::pass_cost(spec, pass).layer.size());
  floor.add(collective::CollectiveKind::all_reduce, plan.algorithm, t, 2);
  return floor;
}

}  // namespace shardsim::plan
