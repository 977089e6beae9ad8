#pragma once
// The whole data flow of design.md §1 for one scenario: plan the workload, execute it, gather the result.

#include "shardsim/exec/trace.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/report/result.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::app {

// The scenario's workload, planned: the op graph of one token and where everything is held.
plan::PlannedWorkload plan_scenario(const scenario::Scenario& scenario);

// `trace`, when given, receives the run's timeline (exec/trace.hpp).
report::Result run_scenario(const scenario::Scenario& scenario, exec::Trace* trace = nullptr);

}  // namespace shardsim::app
