#pragma once
// The correctness proof of the collective algorithms: a small symbolic executor runs a schedule and tracks what
// each rank holds, as (origin rank, part) atoms for gather-type kinds and all-to-all, and as the set of
// contributors of its partial sum per part for reductions. For every step it checks that the source holds what the
// step claims to carry using ONLY the deliveries the step (transitively) depends on, since the executor may
// deliver anything else later; that a reduction never adds a contributor twice; and that every rank ends with
// exactly what the collective promises (and result_bytes and payload_delivered say so). It also checks the
// schedule's structure, and that each step's bytes follow from what it carries (schedule.hpp, "What a step
// carries"). Ranks are limited to 64 (bit sets).

#include <string>

#include "shardsim/collective/collective.hpp"

namespace collective_test {

// The first problem found in `s` as an expansion of `spec`, or "" if the schedule is correct.
std::string verify(const shardsim::collective::CollectiveSpec& spec, const shardsim::collective::Schedule& s);

}  // namespace collective_test
