#pragma once
// The report writers: a text table for people and JSON for programs. Both are deterministic: the same result
// gives byte-identical output on every machine (fixed formats, no locale, no timestamps, no host names).

#include <ostream>

#include "shardsim/report/result.hpp"

namespace shardsim::report {

void write_text(std::ostream& out, const Result& result);
void write_json(std::ostream& out, const Result& result);

}  // namespace shardsim::report
