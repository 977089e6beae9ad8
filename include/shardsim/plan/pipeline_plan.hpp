#pragma once
// The `pipeline` strategy: a transformer's layers cut into contiguous stages, one per node (stage s holds layers
// [s L / S, (s+1) L / S), balanced); node 0 also embeds the input and the last node applies the LM head. A decode
// step of `batch` sequences is cut into `micro_batches` equal micro-batches that follow each other through the
// stages, so stage s works on micro-batch j while stage s+1 works on micro-batch j-1 (GPipe-style forward
// pipelining). Between stages a micro-batch's activations (rows x d_model, in the activation format) travel as
// one message. Every micro-batch re-reads its stage's weights: more micro-batches overlap the stages but cost
// weight traffic, which the simulation shows.

#include <string>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

// Empty when `stages` nodes and `micro_batches` can run `spec` with `batch` sequences; else why not.
std::string pipeline_plan_problem(const workload::TransformerSpec& spec, int stages, std::int64_t batch,
                                  int micro_batches);

PlannedWorkload build_pipeline_plan(const workload::TransformerSpec& spec, std::int64_t batch, std::int64_t context,
                                    const PlanSpec& plan);

}  // namespace shardsim::plan
