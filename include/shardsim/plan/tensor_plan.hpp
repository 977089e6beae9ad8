#pragma once
// The `tensor` strategy: a transformer's pass split Megatron-style (Shoeybi et al. 2019) over all of the plan's
// nodes, which form one tensor group (tensor_group.hpp says how a group splits a layer).
// plan/tensor_check.hpp proves numerically that this split computes the unsplit layer.

#include <string>

#include "shardsim/plan/plan_floor.hpp"
#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/plan/tensor_group.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

// Empty when `degree` nodes can split `spec`; else why not, naming the constraint.
std::string tensor_plan_problem(const workload::TransformerSpec& spec, int degree);

// One pass (a decode step or a prefill) over all plan.nodes nodes as one tensor group (tensor_group.hpp).
// Preconditions (checked by the scenario loader): tensor_plan_problem(spec, plan.nodes) is empty.
PlannedWorkload build_tensor_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                  const PlanSpec& plan);

// A floor of build_tensor_plan (plan_floor.hpp): its "layer" block runs every layer op of workload::pass_cost on
// each of the T = plan.nodes ranks (T |layer| compute ops) and, when T > 1, two all-reduces of T ranks (attention,
// MLP) with plan.algorithm: exactly what is built.
PlanFloor tensor_plan_floor(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                            const PlanSpec& plan);

}  // namespace shardsim::plan
