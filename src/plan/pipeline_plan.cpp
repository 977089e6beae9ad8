#include "shardsim/plan/pipeline_plan.hpp"

#include "shardsim/plan/tensor_group.hpp"
#include "shardsim/plan/tensor_plan.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::plan {

std::int64_t first_layer(std::int64_t layers, std::int64_t stages, std::int64_t s) {
  return s * (layers / stages) + std::min(s, layers % stages);
}

std::optional<Problem> pipeline_plan_problem(const workload::TransformerSpec& spec, int nodes, int tensor_degree,
                                             std::int64_t batch, int micro_batches) {
  if (tensor_degree < 1) {
    return Problem{"tensor_degree", "tensor_degree (" + std::to_string(tensor_degree) + ") must be at least 1"};
  }
  if (nodes < 1 || nodes % tensor_degree != 0) {
    return Problem{"tensor_degree", "the nodes (" + std::to_string(nodes) +
                                        ") must be a positive multiple of tensor_degree (" +
                                        std::to_string(tensor_degree) + ")"};
  }
  const int stages = nodes / tensor_degree;
  if (stages > spec.layers) {
    return Problem{"nodes",
                   "more stages (" + std::to_string(stages) + ") than layers (" + std::to_string(spec.layers) + ")"};
  }
  if (std::string problem = tensor_plan_problem(spec, tensor_degree); !problem.empty()) {
    return Problem{"tensor_degree", problem};
  }
  if (micro_batches < 1) return Problem{"micro_batches", "micro_batches must be at least 1"};
  if (batch % micro_batches != 0) {
    return Problem{"micro_batches", "the batch (" + std::to_string(batch) + ") must be divisible by micro_batches (" +
                                        std::to_string(micro_batches) + ")"};
  }
  return std::nullopt;
}

PlannedWorkload build_pipeline_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                    const PlanSpec& plan) {
  require(!pipeline_plan_problem(spec, plan.nodes, plan.tensor_degree, pass.batch, plan.micro_batches),
          "pipeline plan: invalid");
  const std::int64_t t = plan.tensor_degree;
  const std::int64_t stages = plan.nodes / t;
  const workload::PassShape micro{pass.kind, pass.batch / plan.micro_batches, pass.context};
  const workload::PassCost cost = workload::pass_cost(spec, micro);
  const Bytes activations = hw::bytes_for(spec.activation_format, micro.rows() * spec.d_model);

  // Stage s runs layers [first(s), first(s + 1)): balanced, or as plan.split weighed them (stage_layers).
  std::vector<std::int64_t> bounds{0};
  for (std::int64_t s = 0; s < stages; ++s) {
    bounds.push_back(plan.stage_layers.empty() ? first_layer(spec.layers, stages, s + 1)
                                               : bounds.back() + plan.stage_layers[static_cast<std::size_t>(s)]);
  }
  require(bounds.back() == spec.layers, "pipeline plan: the stages do not hold every layer once");
  auto first = [&bounds](std::int64_t s) { return bounds[static_cast<std::size_t>(s)]; };

  PlannedWorkload out;
  for (int i = 0; i < plan.nodes; ++i) out.nodes.push_back(i);  // ranks: plan_pass places them (plan.use)
  // Stage s is the tensor group of nodes [s T, (s + 1) T); its hierarchical groups are its members' switches.
  std::vector<TensorGroup> group(static_cast<std::size_t>(stages));
  for (std::int64_t s = 0; s < stages; ++s) {
    TensorGroup& g = group[static_cast<std::size_t>(s)];
    g.algorithm = plan.algorithm;
    for (std::int64_t r = 0; r < t; ++r) {
      g.nodes.push_back(static_cast<plan::NodeId>(s * t + r));
      if (!plan.groups.empty()) g.groups.push_back(plan.groups[static_cast<std::size_t>(s * t + r)]);
    }
  }
  plan::Block token{"token", 1, {}};
  // One message from node `from` to node `to`: a broadcast between the two.
  auto send = [&token](plan::NodeId from, plan::NodeId to, Bytes bytes, std::string label,
                       std::vector<OpId> deps) {
    collective::CollectiveSpec c{collective::CollectiveKind::broadcast, collective::Algorithm::direct, 0,
                                 {bytes, Bytes{}}};
    token.ops.push_back(Op{std::move(label), CollectiveOp{std::move(c), {from, to}}, std::move(deps)});
    return static_cast<OpId>(token.ops.size() - 1);
  };

  // A stage works on its micro-batches in order: micro-batch j starts on a rank of stage s only once j - 1 has
  // left it (without this, the node would interleave the two micro-batches' ops and delay both).
  std::vector<std::vector<OpId>> stage_done(static_cast<std::size_t>(stages));
  for (int j = 0; j < plan.micro_batches; ++j) {
    const std::string mb = "mb" + std::to_string(j) + ".";
    std::vector<OpId> last;  // per rank of the previous stage, where the micro-batch's activations are
    for (std::int64_t s = 0; s < stages; ++s) {
      const TensorGroup& g = group[static_cast<std::size_t>(s)];
      std::vector<std::vector<OpId>> after(static_cast<std::size_t>(t));
      for (std::int64_t r = 0; r < t; ++r) {
        auto& deps = after[static_cast<std::size_t>(r)];
        // Rank r of the previous stage holds the whole activations (they are all-reduced): it sends them to
        // rank r of this stage, so the T messages travel in parallel.
        if (s > 0) {
          deps = {send(group[static_cast<std::size_t>(s - 1)].nodes[static_cast<std::size_t>(r)],
                       g.nodes[static_cast<std::size_t>(r)], activations,
                       mb + "to_stage" + std::to_string(s) + "." + std::to_string(r),
                       {last[static_cast<std::size_t>(r)]})};
        }
        if (!stage_done[static_cast<std::size_t>(s)].empty()) {
          deps.push_back(stage_done[static_cast<std::size_t>(s)][static_cast<std::size_t>(r)]);
        }
      }
      auto continue_from = [&after](const std::vector<OpId>& done) {
        for (std::size_t r = 0; r < after.size(); ++r) after[r] = {done[r]};
      };
      if (s == 0) {
        last = append_tensor_edge(token, mb, spec, micro, cost.pre, g, after);
        continue_from(last);
      }
      for (std::int64_t l = first(s); l < first(s + 1); ++l) {
        last = append_tensor_layer(token, mb + "layer" + std::to_string(l) + ".", spec, micro, cost.layer, g, after);
        continue_from(last);
      }
      if (s == stages - 1) last = append_tensor_edge(token, mb, spec, micro, cost.post, g, after);
      stage_done[static_cast<std::size_t>(s)] = last;
    }
  }
  out.graph.blocks.push_back(std::move(token));

  for (std::int64_t s = 0; s < stages; ++s) {
    const std::int64_t layers = first(s + 1) - first(s);
    for (std::int64_t r = 0; r < t; ++r) {
      out.footprint.push_back(
          tensor_rank_footprint(spec, micro, pass.batch, layers, s == 0, s == stages - 1, t, r));
    }
  }
  return out;
}

PlanFloor pipeline_plan_floor(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                              const PlanSpec& plan) {
  const double t = plan.tensor_degree, m = plan.micro_batches, stages = plan.nodes / plan.tensor_degree;
  const double layers = static_cast<double>(spec.layers);
  const workload::PassCost cost = workload::pass_cost(spec, pass);
  const auto n = [](const std::vector<workload::OpCost>& ops) { return static_cast<double>(ops.size()); };
  PlanFloor floor;
  floor.compute_ops = m * t * (n(cost.pre) + layers * n(cost.layer) + n(cost.post));
  floor.add(collective::CollectiveKind::all_reduce, plan.algorithm, t, 2 * m * layers);
  floor.add(collective::CollectiveKind::broadcast, collective::Algorithm::direct, 2, m * t * (stages - 1));
  return floor;
}

}  // namespace shardsim::plan
