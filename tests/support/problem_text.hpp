#pragma once
// A plan check's problem as the text it says ("" when there is none), so that tests compare messages.

#include <optional>
#include <string>

#include "shardsim/util/problem.hpp"

namespace shardsim::testing {

inline std::string problem_text(const std::optional<Problem>& problem) { return problem ? problem->message : ""; }

}  // namespace shardsim::testing
