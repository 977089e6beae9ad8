#pragma once
// The whole data flow of design.md §1 for one scenario: plan the workload, execute it, gather the result.

#include "shardsim/exec/trace.hpp"
#include "shardsim/report/result.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::app {

// `trace`, when given, receives the run's timeline (exec/trace.hpp).
report::Result run_scenario(const scenario::Scenario& scenario, exec::Trace* trace = nullptr);

}  // namespace shardsim::app
