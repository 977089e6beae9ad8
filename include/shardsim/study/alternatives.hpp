#pragma once
// What the user should know about a choice: the scenario run again with every other collective algorithm its plan
// can use (a strategy with collectives), or every other version of its runtime that behaves differently (a runtime:
// plan::Strategy::versions), each on the detailed step only (the decode step at the scenario's context, or the
// training step). Reports list those that move the token (step) latency by more than 10 %.

#include <cstdint>
#include <vector>

#include "shardsim/report/result.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::study {

// Fills result.alternatives with every alternative to the scenario's choice and its latency (not filtered), unless
// simulating them all would take more than `event_budget` engine events (estimated from the events the detailed
// step took, result.stats.events, times the alternatives): then result.alternatives_skipped says so. The budget
// keeps `shardsim run` quick on a 1024-node GPT-4 token (the engine runs about 5 M events a second).
void add_alternatives(const scenario::Scenario& scenario, report::Result& result,
                      std::uint64_t event_budget = 10'000'000);

}  // namespace shardsim::study
