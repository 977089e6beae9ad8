#pragma once
// The `tensor` strategy on the seed's MLP stack ([model]): Megatron-style (Shoeybi et al. 2019) instead of the
// notebook's broadcast / all-gather / gather. The root broadcasts x once per token (down a binomial tree when
// the plan's algorithm has no broadcast, as recursive doubling has none); then in every layer machine i
// computes relu(x @ expand[:, E_i]) @ reduce[E_i, :], a partial sum of the whole output, for each active expert,
// and one all-reduce (sum) of the b x d_model partials gives every machine the layer's output, the next layer's
// input. E_i are balanced contiguous ranges of the d_ff columns (partition.hpp), or with plan.split contiguous ranges
// in proportion to the nodes' weights (weighted_split; |E_i| below is each node's own count). The split is the MLP half of
// what plan/tensor_check.hpp proves numerically (column-parallel, then row-parallel, then a sum).
//
// Closed forms per layer and expert, with b = batch, D = d_model, F = d_ff, N = nodes:
//   memory read = sum_i (D |E_i| + b D)  [expand shard + input x]
//               + sum_i (|E_i| D + b |E_i|)  [reduce rows + the machine's activation slice]
//               = 2 D F + N b D + b F
//   payload delivered by the layer's all-reduce: N b D (every machine ends with the whole output), once per layer
//   whatever the experts (their partials are summed into one all-reduce).

#include <cstdint>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/workload/model_spec.hpp"

namespace shardsim::plan {

// Preconditions: 1 <= plan.nodes <= d_ff, batch >= 1.
PlannedWorkload build_tensor_mlp_plan(const workload::ModelSpec& model, std::int64_t batch, const PlanSpec& plan);

}  // namespace shardsim::plan
