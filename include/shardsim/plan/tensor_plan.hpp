#pragma once
// The `tensor` strategy: a transformer's decode step split Megatron-style (Shoeybi et al. 2019) over T nodes.
// Per layer, node r computes the query heads [r H/T, (r+1) H/T) with the KV heads they use (split when T divides
// the KV heads, replicated otherwise: a node then holds one KV head), then an all-reduce of the attention output;
// then its d_ff/T columns of every active expert's MLP (the router replicated), then an all-reduce. The embedding
// is replicated (each node looks up its own input); the LM head is split by vocabulary and the logits gathered to
// node 0. Ops' FLOPs and bytes are those of workload::decode_step divided as the weights are: head-split ops by T,
// K/V projections and KV-cache reads by the share of KV heads a node holds, MLP ops by T (balanced, so the parts
// add up to the whole). plan/tensor_check.hpp proves numerically that this split computes the unsplit layer.

#include <string>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

// Empty when `degree` nodes can split `spec`; else why not, naming the constraint.
std::string tensor_plan_problem(const workload::TransformerSpec& spec, int degree);

// One decode step of `batch` sequences with `context` tokens in the KV cache (the new one included).
// Preconditions (checked by the scenario loader): tensor_plan_problem(spec, plan.nodes) is empty.
PlannedWorkload build_tensor_plan(const workload::TransformerSpec& spec, std::int64_t batch, std::int64_t context,
                                  const PlanSpec& plan);

}  // namespace shardsim::plan
