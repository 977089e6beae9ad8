#pragma once
// The whole data flow of design.md §1 for one scenario: plan the workload, execute it, gather the result.

#include "shardsim/report/result.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::app {

report::Result run_scenario(const scenario::Scenario& scenario);

}  // namespace shardsim::app
