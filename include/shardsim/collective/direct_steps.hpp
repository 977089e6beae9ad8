#pragma once
// The direct algorithm's steps computed one at a time, without expanding the schedule: what an executor running a
// direct collective over thousands of ranks uses instead of collective::expand, whose schedule for a 4096-rank
// all-gather is 16.8 M steps of 24 bytes. Step k here is expand(spec).steps[k] of the direct algorithm (schedule.hpp:
// source-major, each source serving src+1, src+2, ... wrapping; rooted kinds only from or to the root), with its
// src, dst and bytes; origins and parts, which name the expanded schedule's index sets, are 0. The two are compared
// step by step in tests/collective/direct_steps_test.cpp.

#include <cstdint>

#include "shardsim/collective/collective_spec.hpp"
#include "shardsim/collective/schedule.hpp"

namespace shardsim::collective {

// How many steps the direct schedule of `spec` has: p - 1 for a rooted kind, p (p - 1) otherwise.
std::uint32_t direct_step_count(const CollectiveSpec& spec);
// Its step k (k < direct_step_count(spec)).
Step direct_step(const CollectiveSpec& spec, std::uint32_t k);
// The steps `rank` sends, a range of step indices in schedule order (count 0 if none).
IndexRange direct_sends(const CollectiveSpec& spec, int rank);

}  // namespace shardsim::collective
