#pragma once
// Plans other than the one a scenario names, for `shardsim search`: a candidate is the text of a [plan] table
// ("strategy = \"pipeline\"\nnodes = 16\ntensor_degree = 8"), read and checked exactly as the loader reads the
// scenario's own (the strategy's read(), the collective's support of every kind the plan needs), so the search
// never re-implements a strategy's limits. And the runnable scenario a chosen candidate becomes.

#include <string>
#include <vector>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::scenario {

// The candidate's plan against the scenario's model, run options and topology. Throws InputError (positions in
// "<candidate>", the key named) for a plan its strategy refuses.
plan::PlanSpec read_candidate_plan(const Scenario& scenario, const std::string& plan_toml);

// The text of a scenario that runs the candidate: the file at `path` with `overrides` applied (those of the
// topology left to its file: they are written as comments), its [plan] replaced by `plan_toml`, its [expect] and
// [sweep] left out (they checked another plan), and its topology named `topology_ref`.
std::string scenario_with_plan(const std::string& path, const std::vector<std::string>& overrides,
                               const std::string& plan_toml, const std::string& topology_ref);

}  // namespace shardsim::scenario
