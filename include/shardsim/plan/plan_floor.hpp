#pragma once
// A floor of what a plan will hold, computed in closed form from its validated spec without building it: lower
// bounds of the compute ops of one of its blocks and of the collectives that same block certainly runs. A run's
// memory estimate (study/memory_estimate.hpp) converts it to bytes with the figures exec::run_size_bound counts per
// op, collective and message (exec::run_size_floor), and refuses a run whose floor alone is above the limit before
// planning it: planning a million-rank data-parallel step takes hundreds of gigabytes by itself.
// A floor is sound when it never exceeds the built plan: some block of the graph holds at least `compute_ops` compute
// ops and, for every (kind, algorithm, ranks), at least the counted collectives. Strategies that say nothing return
// the empty floor (no ops, no collectives: nothing known). tests/study/plan_floor_test.cpp holds every shipped
// scenario's floor to its built plan.

#include <vector>

#include "shardsim/collective/collective_spec.hpp"

namespace shardsim::plan {

// `count` collectives of `kind` over `ranks` ranks with `algorithm`, in one block.
struct CollectiveFloor {
  collective::CollectiveKind kind = collective::CollectiveKind::broadcast;
  collective::Algorithm algorithm = collective::Algorithm::direct;
  double ranks = 0;
  double count = 0;
};

struct PlanFloor {
  double compute_ops = 0;
  std::vector<CollectiveFloor> collectives;

  // Adds `count` collectives (nothing under 2 ranks: a group of one node runs none).
  void add(collective::CollectiveKind kind, collective::Algorithm algorithm, double ranks, double count) {
    if (ranks >= 2 && count > 0) collectives.push_back(CollectiveFloor{kind, algorithm, ranks, count});
  }
  bool empty() const { return compute_ops == 0 && collectives.empty(); }
};

}  // namespace shardsim::plan
