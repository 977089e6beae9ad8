#pragma once
// Upper bounds of what expand(spec) holds, computed without expanding it: what a run's memory estimate needs before
// it expands collectives of a million ranks (a ring all-gather of p ranks has p(p-1) steps). Counts as doubles so
// that p^2 cannot overflow. With p ranks, K = ceil(log2 p), G groups (hierarchical; 1 otherwise):
//   steps   direct: p-1 (rooted kinds), p(p-1) (others); ring: 2p(p-1); tree: 2(p-1); recursive doubling:
//           p(K+2); hierarchical: 2(p-1) (rooted kinds), 2(p-1) + 2G(G-1) (others)
//   deps    direct: 0; ring: steps; tree: steps (K+1); recursive doubling: steps (K+2); hierarchical:
//           p^2 + steps (K+2) (a leader's sends wait for every member of its group)
//   sets    2 steps + p + 2 (a step names at most two new sets; the singletons and "all" besides)
//   ranges  2 sets + 2p; hierarchical: sets (ceil(p/2) + 1) (a group's members may alternate with others')
// tests/collective/schedule_size_test.cpp holds every bound to the expansion for every kind, algorithm, root and
// grouping up to 40 ranks.

#include "shardsim/collective/schedule.hpp"

namespace shardsim::collective {

struct ScheduleSize {
  double steps = 0;
  double deps = 0;
  double sets = 0;
  double ranges = 0;
};
ScheduleSize size_bound(const CollectiveSpec& spec);
// The same from the collective's shape alone: `kind` over p ranks in g hierarchical groups (g is ignored by the other
// algorithms). Every count grows with p and with g, so a lower bound of either gives a lower bound of the size:
// what a plan's floor (plan/plan_floor.hpp) counts before the plan is built.
ScheduleSize size_bound(CollectiveKind kind, Algorithm algorithm, double p, double g = 1);

}  // namespace shardsim::collective
