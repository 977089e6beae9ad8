#pragma once
// The `pipeline` strategy: a transformer's layers cut into S contiguous stages (stage s holds layers
// [s L / S, (s+1) L / S), balanced), each stage a tensor group of T = tensor_degree nodes (nodes [s T, (s+1) T),
// split as tensor_group.hpp says; T = 1: one node per stage). Stage 0 also embeds the input and the last stage
// applies the LM head. A pass over `batch` sequences is cut into `micro_batches` equal micro-batches that follow
// each other through the stages, so stage s works on micro-batch j while stage s+1 works on micro-batch j-1
// (GPipe-style forward pipelining). Between stages a micro-batch's activations (rows x d_model, in the
// activation format) travel as one message from each rank to the same rank of the next stage. Every
// micro-batch re-reads its stage's weights: more micro-batches overlap the stages but cost weight traffic,
// which the simulation shows. Tensor inside a switch and pipeline across switches is this plan with T set to
// the nodes per switch.

#include <optional>

#include "shardsim/util/problem.hpp"

#include "shardsim/plan/plan_floor.hpp"
#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/workload/pass_shape.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

// First layer of stage s when `layers` are cut into `stages` balanced contiguous stages (the first layers % stages
// stages take one layer more).
std::int64_t first_layer(std::int64_t layers, std::int64_t stages, std::int64_t s);

// None when `nodes` in stages of `tensor_degree` and `micro_batches` can run `spec` with `batch` sequences; else
// why not, naming the key to blame: tensor_degree, nodes (more stages than layers) or micro_batches.
std::optional<Problem> pipeline_plan_problem(const workload::TransformerSpec& spec, int nodes, int tensor_degree,
                                             std::int64_t batch, int micro_batches);

PlannedWorkload build_pipeline_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                    const PlanSpec& plan);

// A floor of build_pipeline_plan (plan_floor.hpp): its one block ("token") runs, for each of the M micro-batches,
// every op of workload::pass_cost on each of the T ranks of the stage that holds it (M T (|pre| + L |layer| + |post|)
// compute ops), two all-reduces of T ranks per layer when T > 1 (2 M L), and T direct broadcasts of 2 ranks between
// consecutive stages (M T (S - 1)), exactly what is built but for the logits' gather (left out).
PlanFloor pipeline_plan_floor(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                              const PlanSpec& plan);

}  // namespace shardsim::plan
