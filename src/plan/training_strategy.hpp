#pragma once
// What the strategies that train the data-parallel x pipeline x tensor layout (training_plan.hpp) share: the
// training keys of [plan] and the description of the layout in reports. `tensor` and `data` derive the tensor degree
// from the nodes (T = nodes / data_parallel, one stage); `pipeline` reads it.

#include <string>

#include "shardsim/plan/strategy.hpp"

namespace shardsim::plan {

enum class TensorDegree {
  per_replica,  // T = nodes / data_parallel: the whole replica is one tensor group (tensor, data)
  from_key,     // T = plan.tensor_degree: replicas of stages of T nodes (pipeline)
};

// Reads nodes (default: every node), data_parallel (default `data_only` ? nodes : 1; with `data_only` it must equal
// nodes), tensor_degree (only under TensorDegree::from_key), micro_batches, zero, schedule, gradient_bucket and
// overlap_gradients; then checks the layout (training_plan_problem), failing at the key to blame.
void read_layout_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec, TensorDegree degree,
                          bool data_only);

// "training: 2 data-parallel replicas of 1 stage x 4 tensor-parallel nodes, ring collectives, 1 micro-batch".
std::string describe_layout_training(const PlanSpec& spec);

// A strategy that trains that layout (tensor, pipeline, data): one step of training_plan.hpp, whose collectives are
// the groups' all-reduces and the replicas' reduce-scatters and all-gathers.
class LayoutTrainingStrategy : public Strategy {
 public:
  bool trains() const override { return true; }
  PlannedWorkload build_training(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                 std::int64_t batch, const PlanSpec& plan) const override;
  PlanFloor training_floor(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                           std::int64_t batch, const PlanSpec& plan) const override;

 protected:
  static std::vector<collective::CollectiveKind> training_collectives();
};

// The micro-batches, ZeRO stage, schedule and gradient bucket keys every training strategy reads.
void read_step_keys(KeyReader& keys, PlanSpec& spec);

}  // namespace shardsim::plan
