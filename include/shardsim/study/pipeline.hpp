#pragma once
// The whole data flow of design.md §1 for one scenario: plan the workload (the scenario's strategy), execute it,
// gather the result.

#include "shardsim/exec/trace.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/report/result.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::study {

// The scenario's model, as plans take it.
plan::Model model_of(const scenario::Scenario& scenario);

// The decode step at the scenario's context (the last step of a generation), or its training step, planned; with
// another plan (the scenario's, one choice changed) in the second form.
plan::PlannedWorkload plan_scenario(const scenario::Scenario& scenario);
plan::PlannedWorkload plan_scenario(const scenario::Scenario& scenario, const plan::PlanSpec& plan);

// A floor of what plan_scenario(scenario) holds (plan/plan_floor.hpp), from the strategy's closed form, without
// planning: the same pass (or training step) plan_scenario builds.
plan::PlanFloor floor_scenario(const scenario::Scenario& scenario);

// Simulates the decode step at the scenario's context (or its training step) and, when the scenario generates, the
// prefill and every other decode step of the generation. `trace`, when given, receives the timeline of the detailed
// step.
report::Result run_scenario(const scenario::Scenario& scenario, exec::Trace* trace = nullptr);

}  // namespace shardsim::study
