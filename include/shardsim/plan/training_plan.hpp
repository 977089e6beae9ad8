#pragma once
// One training step of a transformer laid out on the cluster: D data-parallel replicas of a model-parallel layout
// of S pipeline stages, each a tensor group of T nodes (tensor_group.hpp); D x S x T = plan.nodes. Replica d holds
// the nodes [d S T, (d + 1) S T); stage s of it the T nodes from d S T + s T. The `tensor` strategy is S = 1,
// T = nodes / D; `pipeline` is T = tensor_degree, S = nodes / (D T); pure data parallelism is S = T = 1.
//
// Per replica the step's batch / D sequences are cut into M = micro_batches micro-batches of seq_len tokens.
// Costs are workload::training_pass's (forward, backward) and workload::optimizer_step, split over a tensor group
// as tensor_share says; the phases of the ops (op_graph.hpp) give the step's breakdown.
// - Forward F(j, s): a stage runs its layers on micro-batch j (stage 0 first embeds it; the last stage applies the
//   LM head split by vocabulary and the loss, with an all-reduce of each row's softmax statistics, 2 fp32 values
//   per row, when T > 1: Megatron's vocabulary-parallel cross-entropy).
// - Backward B(j, s): the last stage differentiates the loss and the LM head (an all-reduce of the partial input
//   gradient when T > 1), then each layer in reverse: the MLP's gradients, an all-reduce of the partial gradient
//   of the MLP's input (the mirror of the forward's all-reduce: Megatron's f and g operators swap in backward),
//   the attention's gradients, another all-reduce. With `recompute` each layer first re-runs its forward (its
//   all-reduces included). Stage 0 ends with the embedding's gradient.
// - Between stages a micro-batch's activations (forward) and their gradients (backward), rows x d_model in the
//   activation format, go from each rank to the same rank of the next (previous) stage.
// - Schedule (PlanSpec::schedule): the order of F and B on each stage, enforced by making each depend on the
//   stage's previous one. GPipe: F0 .. F(M-1), B0 .. B(M-1). 1F1B: S - s - 1 forwards, then F, B alternating, then
//   the remaining backwards.
// - Gradient synchronisation (D > 1): the D nodes holding the same shard form a group. Their gradients, in the
//   order the backward completes them (the LM head, layers last to first, the embedding), are cut into buckets of
//   at least gradient_bucket bytes; a bucket is all-reduced (ZeRO 1-2: reduce-scattered) over the group as soon as
//   the last micro-batch's backward has finished its layers (overlap_gradients), or once the whole backward is done.
// - Optimizer: each node updates the parameters it holds (ZeRO >= 1: its 1/D share of them, then an all-gather of
//   the updated weights over the group). ZeRO 3 also all-gathers each layer's weights before its forward and its
//   backward, for every micro-batch, one layer ahead: the gather for layer l may start when layer l - 1 may
//   (prefetch), so two layers' weights are held gathered at a time.
// - The `expert` strategy trains a mixture of experts laid out as expert_plan.hpp lays out inference (one replica,
//   no tensor groups): node 0 runs everything but the experts, expert e lives on node e mod N. Per layer and
//   micro-batch the tokens are routed (seeded or worst case, drawn once and used by the forward and the backward);
//   the forward dispatches each expert's rows and combines its outputs, the backward mirrors it (the outputs'
//   gradients out, the inputs' gradients back), and each node updates what it holds.
// - Memory per node (workload::training_state, activation_memory): weights, gradients and optimizer state of the
//   parameters it holds (ZeRO-sharded as the stage says), and the activations of its layers divided by T, for as
//   many micro-batches as the schedule keeps in flight (GPipe: M; 1F1B: min(S - s, M)), plus one layer's working
//   set with recomputation and the loss's on the last stage.

#include <cstdint>
#include <optional>
#include <string>

#include "shardsim/util/problem.hpp"

#include "shardsim/plan/plan_floor.hpp"
#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/workload/run_options.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

// The model-parallel shape of a training plan: D = data_parallel, T = tensor_degree, S = nodes / (D T).
struct TrainingLayout {
  int replicas = 1;  // D
  int stages = 1;    // S
  int tensor = 1;    // T
};
TrainingLayout training_layout(const PlanSpec& plan);

// None when the D x S x T layout can train `spec` on `batch` sequences per step; else why not, naming the key to
// blame (data_parallel, tensor_degree, nodes, zero, micro_batches).
std::optional<Problem> training_plan_problem(const workload::TransformerSpec& spec, std::int64_t batch,
                                             const PlanSpec& plan);

// One step of the D x S x T layout. `spec` in its training compute format (workload::with_compute_format).
PlannedWorkload build_training_plan(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                    std::int64_t batch, const PlanSpec& plan);

// A floor of what build_training_plan holds in its one block ("step"), counted from the layout (plan_floor.hpp):
//   compute ops  D T M (|fwd.pre| + |fwd.post| + |bwd.pre| + |bwd.post| + L (|fwd.layer| (recompute ? 2 : 1)
//                + |bwd.layer|)) + D S T (the optimizer), the op lists of workload::training_pass for one
//                micro-batch: exactly what is built;
//   ZeRO 3 (D > 1): 2 M L T all-gathers of D ranks (each layer's weights, forward and backward, per micro-batch);
//   D > 1: S T gradient collectives of D ranks (at least one bucket per shard: reduce-scatters under ZeRO >= 1,
//          else all-reduces) and, under ZeRO >= 1, S T all-gathers of D ranks (the updated weights);
//   T > 1: D M (L (4 + (recompute ? 2 : 0)) + 2) all-reduces of T ranks (two per layer each way, and the loss's and
//          the LM head's);
//   S > 1: 2 D M T (S - 1) direct broadcasts of 2 ranks (activations forward, gradients backward).
// Collectives use plan.algorithm, the sends `direct`.
PlanFloor training_plan_floor(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                              std::int64_t batch, const PlanSpec& plan);

// The same for the `expert` strategy's layout (expert_training_plan.cpp): one replica, experts over the nodes.
std::optional<Problem> expert_training_problem(const workload::TransformerSpec& spec, std::int64_t batch,
                                               const PlanSpec& plan);
PlannedWorkload build_expert_training_plan(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                           std::int64_t batch, const PlanSpec& plan);

}  // namespace shardsim::plan
