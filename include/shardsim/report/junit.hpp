#pragma once
// JUnit XML for CI systems: one <testsuite> per scenario file, one <testcase> per [expect] check, a <failure>
// with expected and actual values for each failed check, <skipped/> for checks with a bound not evaluated, and
// an <error> for a scenario that could not be run (bad input). A skip or failure names the bounds that could
// not be evaluated and why.

#include <ostream>
#include <string>
#include <vector>

#include "shardsim/report/expectation_check.hpp"

namespace shardsim::report {

struct ScenarioChecks {
  std::string file;
  std::vector<CheckOutcome> outcomes;
  std::string error;  // non-empty when the scenario could not be run
};

void write_junit(std::ostream& out, const std::vector<ScenarioChecks>& scenarios);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string xml_escape(const std::string& text);

}  // namespace shardsim::report
