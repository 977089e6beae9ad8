#pragma once
// The seed notebook's strategy for one MLP y = relu(x @ expand) @ reduce on N machines, per active expert and
// layer: the root (rank 0) broadcasts x; machine i computes relu(x @ expand[:, E_i]); the activation pieces are
// all-gathered; machine i computes full_activation @ reduce[:, R_i]; the output pieces are gathered to the root.
// E_i and R_i are balanced contiguous column ranges (partition.hpp); an uneven split is handled, not refused.
// Each active expert runs as its own instance of this (own broadcast and gather), as the notebook's per-layer
// figures assume; experts of one layer run concurrently and the next layer starts when all are gathered.

#include <cstdint>
#include <vector>

#include "shardsim/plan/plan_floor.hpp"
#include "shardsim/plan/planned_workload.hpp"
#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/workload/model_spec.hpp"

namespace shardsim::plan {

// The notebook's `info` figures for one layer of one expert, in elements (closed form).
struct SeedLayerFigures {
  std::int64_t total_params = 0;                    // expand.size + reduce.size
  std::int64_t machine_params = 0;                  // largest shard: |expand piece| + |reduce piece|
  double fraction = 0;                              // machine_params / total_params
  std::int64_t internal_bandwidth_params = 0;       // memory read by the shard matmuls, summed over machines
  std::int64_t cross_machine_bandwidth_params = 0;  // payload delivered by the three collectives
};

// Closed forms (see the derivation in seed_plan.cpp), for `nodes` machines and `batch` rows.
SeedLayerFigures seed_layer_figures(const workload::ModelSpec& model, std::int64_t batch, int nodes);

// Preconditions (the scenario loader checks them against user input first, so a violation is an InternalError):
// 1 <= spec.nodes <= min(d_model, d_ff), batch >= 1.
PlannedWorkload build_seed_plan(const workload::ModelSpec& model, std::int64_t batch, const PlanSpec& spec);

// A floor of build_seed_plan (plan_floor.hpp), exactly what its one block ("layer") holds: per expert a token uses
// (E = experts_per_token), a broadcast, an all-gather and a gather over the N = spec.nodes ranks with spec.algorithm
// and 2 N compute ops (expand and reduce shards): 2 N E compute ops, E collectives of each kind.
PlanFloor seed_plan_floor(const workload::ModelSpec& model, const PlanSpec& spec);

}  // namespace shardsim::plan
