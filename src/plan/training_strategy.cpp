#include "training_strategy.hpp"

#include <array>

#include "shardsim/plan/training_plan.hpp"

namespace shardsim::plan {

void read_step_keys(KeyReader& keys, PlanSpec& spec) {
  spec.micro_batches = static_cast<int>(integer_in(keys, "micro_batches", 1, 1, 4096));
  spec.zero = static_cast<int>(integer_in(keys, "zero", 0, 0, 3));
  static constexpr std::array<std::pair<std::string_view, Schedule>, 2> schedules{
      {{"gpipe", Schedule::gpipe}, {"1f1b", Schedule::one_f_one_b}}};
  spec.schedule = choice(keys, "schedule", schedules, Schedule::one_f_one_b);
  if (auto bucket = keys.bytes("gradient_bucket")) {
    if (bucket->count <= 0) keys.fail("gradient_bucket", "must be positive");
    spec.gradient_bucket = *bucket;
  }
  if (auto overlap = keys.boolean("overlap_gradients")) spec.overlap_gradients = *overlap;
}

void read_layout_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec, TensorDegree degree,
                          bool data_only) {
  const std::int64_t available = available_nodes(ctx.topology, spec);
  spec.nodes = read_nodes(keys, available, available, available);
  spec.data_parallel = static_cast<int>(integer_in(keys, "data_parallel", data_only ? spec.nodes : 1, 1, spec.nodes));
  if (data_only && spec.data_parallel != spec.nodes) {
    keys.fail("data_parallel", "the data strategy replicates the model on every node: data_parallel = nodes");
  }
  if (degree == TensorDegree::from_key) {
    spec.tensor_degree = static_cast<int>(integer_in(keys, "tensor_degree", 1, 1, spec.nodes));
  } else {
    if (keys.has("tensor_degree")) keys.fail("tensor_degree", "only the pipeline strategy has stages of tensor groups");
    spec.tensor_degree = spec.nodes % spec.data_parallel == 0 ? spec.nodes / spec.data_parallel : 1;
  }
  read_step_keys(keys, spec);
  if (std::optional<Problem> problem = training_plan_problem(*ctx.model.transformer, ctx.run.batch, spec)) {
    // Where the degree follows from the nodes, a degree that cannot split the model is the nodes' problem.
    if (degree == TensorDegree::per_replica && problem->key == "tensor_degree") problem->key = "nodes";
    fail_at(keys, *problem, "nodes");
  }
}

std::string describe_layout_training(const PlanSpec& spec) {
  const TrainingLayout l = training_layout(spec);
  std::string out = "training: " + std::to_string(l.replicas) +
                    (l.replicas == 1 ? " replica" : " data-parallel replicas") + " of " + std::to_string(l.stages) +
                    (l.stages == 1 ? " stage" : " pipeline stages") + " x " + std::to_string(l.tensor) +
                    " tensor-parallel " + (l.tensor == 1 ? "node" : "nodes") + ", " +
                    std::string(collective::to_string(spec.algorithm)) + " collectives";
  if (l.stages > 1) out += spec.schedule == Schedule::gpipe ? ", GPipe schedule" : ", 1F1B schedule";
  out += ", " + std::to_string(spec.micro_batches) + (spec.micro_batches == 1 ? " micro-batch" : " micro-batches");
  if (spec.zero > 0) out += ", ZeRO stage " + std::to_string(spec.zero);
  return out;
}

PlannedWorkload LayoutTrainingStrategy::build_training(const workload::TransformerSpec& spec,
                                                      const workload::TrainingRun& run, std::int64_t batch,
                                                      const PlanSpec& plan) const {
  return build_training_plan(spec, run, batch, plan);
}

PlanFloor LayoutTrainingStrategy::training_floor(const workload::TransformerSpec& spec,
                                                 const workload::TrainingRun& run, std::int64_t batch,
                                                 const PlanSpec& plan) const {
  return training_plan_floor(spec, run, batch, plan);
}

std::vector<collective::CollectiveKind> LayoutTrainingStrategy::training_collectives() {
  using collective::CollectiveKind;
  return {CollectiveKind::all_reduce, CollectiveKind::reduce_scatter, CollectiveKind::all_gather};
}

}  // namespace shardsim::plan
