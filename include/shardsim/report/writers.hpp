#pragma once
// The report writers: a text table for people and JSON for programs. Both are deterministic: the same result
// gives byte-identical output on every machine (fixed formats, no locale, no timestamps, no host names).

#include <ostream>
#include <string>
#include <vector>

#include "shardsim/report/result.hpp"

namespace shardsim::report {

// The version of the JSON report's layout (README "JSON report"): raised when a field is renamed, removed or
// changes its unit; adding a field keeps it.
inline constexpr int kJsonSchemaVersion = 1;

void write_text(std::ostream& out, const Result& result);
void write_json(std::ostream& out, const Result& result);
// `shardsim compare --format json`: {"schema_version", "scenario", "runs": [one run's report per topology]}.
void write_json_comparison(std::ostream& out, const std::string& scenario, const std::vector<const Result*>& runs);

}  // namespace shardsim::report
