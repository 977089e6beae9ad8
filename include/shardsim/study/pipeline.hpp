#pragma once
// The whole data flow of design.md §1 for one scenario: plan the workload, execute it, gather the result.

#include "shardsim/exec/trace.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/report/result.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/workload/pass_shape.hpp"

namespace shardsim::study {

// One pass of the scenario's model, planned: its op graph and where everything is held. `k` numbers the passes of
// a generation (0: the prefill), so that seeded expert routing differs from token to token.
plan::PlannedWorkload plan_pass(const scenario::Scenario& scenario, const workload::PassShape& pass, std::int64_t k);

// The decode step at the scenario's context (the last step of a generation), planned.
plan::PlannedWorkload plan_scenario(const scenario::Scenario& scenario);

// Simulates the decode step at the scenario's context and, when the scenario generates, the prefill and every
// other decode step of the generation. `trace`, when given, receives the timeline of the detailed decode step.
report::Result run_scenario(const scenario::Scenario& scenario, exec::Trace* trace = nullptr);

}  // namespace shardsim::study
