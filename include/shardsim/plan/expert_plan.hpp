#pragma once
// The `expert` strategy for mixture-of-experts transformers: the experts are spread over the nodes (expert e on
// node e mod N; with plan.split, node i holds a contiguous block of experts in proportion to its weight, each expert
// on exactly one node, by the largest remainder method) and node 0 keeps everything else (embedding, attention, router, norms, LM head). Per layer node 0
// computes attention and the router, sends each active expert the rows routed to it (one message per expert on
// another node), each expert computes its MLP on its rows, and sends them back; node 0 combines them and goes on.
// Routing per token is either drawn from a seeded generator (std::mt19937_64: the same on every machine) or the
// worst case, where all of a token's experts sit on one node other than node 0. Layers differ in their routing,
// so every layer of the token is simulated (no repetition).

#include <cstdint>
#include <optional>
#include <random>
#include <vector>
#include <string>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/util/problem.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/workload/pass_shape.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

// The node (plan rank) holding each expert: e mod `nodes` when `weights` is empty, else contiguous blocks of
// weighted_split(experts, weights). Preconditions: expert_plan_problem(spec, nodes, weights) is none.
std::vector<std::int64_t> expert_owners(const workload::TransformerSpec& spec, int nodes,
                                        const std::vector<double>& weights);

// The experts each of `rows` tokens uses in one layer (experts_per_token distinct ones each), drawn from `random`
// (a partial Fisher-Yates shuffle on the engine's raw output: the same on every machine) or, for `worst`, as many
// as possible on node 1 (of the nodes holding the experts as `owners` says, owners[e] the node of expert e); and the
// same as a count of rows per expert.
std::vector<std::vector<std::int64_t>> route_tokens(const workload::TransformerSpec& spec, std::int64_t rows,
                                                    const std::vector<std::int64_t>& owners, Routing routing,
                                                    std::mt19937_64& random);
std::vector<std::int64_t> expert_rows(const workload::TransformerSpec& spec, std::int64_t rows,
                                      const std::vector<std::int64_t>& owners, Routing routing,
                                      std::mt19937_64& random);

// None when `nodes` can hold `spec`'s experts this way (evenly, or by `weights`: every node at least one expert);
// else why not (key strategy for a dense model, split for weights that leave a node without an expert, else nodes).
std::optional<Problem> expert_plan_problem(const workload::TransformerSpec& spec, int nodes,
                                           const std::vector<double>& weights = {});

// One pass (decode step or prefill); every row of it (one per sequence, or every prompt token) is routed.
PlannedWorkload build_expert_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                  const PlanSpec& plan);

}  // namespace shardsim::plan
