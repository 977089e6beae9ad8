#include "shardsim/plan/pipeline_plan.hpp"

#include "shardsim/util/error.hpp"

namespace shardsim::plan {
namespace {

using workload::CollectiveOp;
using workload::ComputeOp;
using workload::Op;
using workload::OpId;

// First layer of stage s when `layers` are cut into `stages` balanced contiguous stages.
std::int64_t first_layer(std::int64_t layers, std::int64_t stages, std::int64_t s) {
  return s * (layers / stages) + std::min(s, layers % stages);
}

}  // namespace

std::string pipeline_plan_problem(const workload::TransformerSpec& spec, int stages, std::int64_t batch,
                                  int micro_batches) {
  if (stages < 1) return "the number of stages (" + std::to_string(stages) + ") must be at least 1";
  if (stages > spec.layers) {
    return "more stages (" + std::to_string(stages) + ") than layers (" + std::to_string(spec.layers) + ")";
  }
  if (micro_batches < 1) return "micro_batches must be at least 1";
  if (batch % micro_batches != 0) {
    return "the batch (" + std::to_string(batch) + ") must be divisible by micro_batches (" +
           std::to_string(micro_batches) + ")";
  }
  return "";
}

PlannedWorkload build_pipeline_plan(const workload::TransformerSpec& spec, std::int64_t batch, std::int64_t context,
                                    const PlanSpec& plan) {
  require(pipeline_plan_problem(spec, plan.nodes, batch, plan.micro_batches).empty(), "pipeline plan: invalid");
  const std::int64_t stages = plan.nodes;
  const std::int64_t rows = batch / plan.micro_batches;
  const workload::PassCost pass = workload::decode_step(spec, context, rows);
  const Bytes activations = workload::bytes_for(spec.activation_format, rows * spec.d_model);

  PlannedWorkload out;
  for (int i = 0; i < plan.nodes; ++i) out.nodes.push_back(i);
  workload::Block token{"token", 1, {}};
  auto add = [&token](std::string label, auto kind, std::vector<OpId> deps) {
    token.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps)});
    return static_cast<OpId>(token.ops.size() - 1);
  };
  // One message from node `from` to node `to`: a broadcast between the two.
  auto send = [&](std::int64_t from, std::int64_t to, Bytes bytes) {
    collective::CollectiveSpec c{collective::CollectiveKind::broadcast, collective::Algorithm::direct, 0,
                                 {bytes, Bytes{}}};
    return CollectiveOp{std::move(c), {static_cast<workload::NodeId>(from), static_cast<workload::NodeId>(to)}};
  };

  // A stage works on its micro-batches in order: micro-batch j starts on stage s only once j - 1 has left it
  // (without this, the node would interleave the two micro-batches' ops and delay both).
  std::vector<OpId> stage_done(static_cast<std::size_t>(stages), -1);
  for (int j = 0; j < plan.micro_batches; ++j) {
    const std::string mb = "mb" + std::to_string(j) + ".";
    std::vector<OpId> last;
    for (std::int64_t s = 0; s < stages; ++s) {
      const auto node = static_cast<workload::NodeId>(s);
      if (s > 0) last = {add(mb + "to_stage" + std::to_string(s), send(s - 1, s, activations), last)};
      if (stage_done[static_cast<std::size_t>(s)] >= 0) last.push_back(stage_done[static_cast<std::size_t>(s)]);
      if (s == 0) {
        for (const workload::OpCost& c : pass.pre) last = {add(mb + c.name, ComputeOp{node, c.work()}, last)};
      }
      for (std::int64_t l = first_layer(spec.layers, stages, s); l < first_layer(spec.layers, stages, s + 1); ++l) {
        for (const workload::OpCost& c : pass.layer) {
          last = {add(mb + "layer" + std::to_string(l) + "." + c.name, ComputeOp{node, c.work()}, last)};
        }
      }
      if (s == stages - 1) {
        for (const workload::OpCost& c : pass.post) last = {add(mb + c.name, ComputeOp{node, c.work()}, last)};
      }
      stage_done[static_cast<std::size_t>(s)] = last.back();
    }
  }
  out.graph.blocks.push_back(std::move(token));

  const workload::ParamCounts p = workload::param_counts(spec);
  const Bytes kv_per_layer = workload::kv_bytes_per_token_per_layer(spec) * (context * batch);
  for (std::int64_t s = 0; s < stages; ++s) {
    const std::int64_t layers = first_layer(spec.layers, stages, s + 1) - first_layer(spec.layers, stages, s);
    RankFootprint fp;
    fp.params = layers * p.layer_total();
    if (s == 0) fp.params += p.token_embedding + p.position_embedding;
    if (s == stages - 1) fp.params += p.final_norm + p.lm_head.total();
    fp.weights = workload::bytes_for(spec.weight_format, fp.params);
    fp.kv_cache = kv_per_layer * layers;
    fp.activations = workload::bytes_for(spec.activation_format, rows * (4 * spec.d_model + 3 * spec.d_ff));
    out.footprint.push_back(fp);
  }
  return out;
}

}  // namespace shardsim::plan
