// size_bound (schedule.hpp): upper bounds of a schedule's steps, dependencies, index sets and ranges, computed
// without expanding it, held to the expansion itself for every kind, algorithm, root and several groupings (a
// run's memory estimate relies on them being bounds), and exact where the closed form is exact.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "schedule_helpers.hpp"
#include "shardsim/collective/collective.hpp"
#include "shardsim/collective/schedule_size.hpp"

using namespace collective_test;  // the names of schedule_helpers.hpp
using shardsim::collective::ScheduleSize;
using shardsim::collective::size_bound;

namespace {

// Group ids for p ranks: blocks, round robin, and every other rank in group 0 with the others spread (a group's
// members alternating with other groups' makes the most ranges).
std::vector<std::vector<int>> groupings(int p) {
  std::vector<std::vector<int>> out;
  for (int g : {2, 3, 5}) {
    std::vector<int> blocks, robin, alternate;
    for (int r = 0; r < p; ++r) {
      blocks.push_back(r * g / p);
      robin.push_back(r % g);
      alternate.push_back(r % 2 == 1 ? r % g : 0);
    }
    out.push_back(blocks);
    out.push_back(robin);
    out.push_back(alternate);
  }
  std::vector<int> singletons;
  for (int r = 0; r < p; ++r) singletons.push_back(r);
  out.push_back(singletons);
  return out;
}

}  // namespace

TEST_CASE("size_bound: no schedule exceeds its bound (every kind, algorithm and root, up to 40 ranks)") {
  for (CollectiveKind kind : all_kinds) {
    for (Algorithm algorithm : all_algorithms) {
      if (!supports(kind, algorithm)) continue;
      for (int p = 1; p <= 40; ++p) {
        std::vector<std::vector<int>> group_sets{{}};
        if (algorithm == Algorithm::hierarchical) group_sets = groupings(p);
        for (const std::vector<int>& groups : group_sets) {
          for (int root : {0, p / 2, p - 1}) {
            CollectiveSpec spec = make(kind, algorithm, uniform(p, 1000 + p), root, groups);
            const Schedule s = shardsim::collective::expand(spec);
            const ScheduleSize bound = size_bound(spec);
            INFO(std::string(shardsim::collective::to_string(kind)) << " "
                 << std::string(shardsim::collective::to_string(algorithm)) << " p=" << p << " root=" << root);
            CHECK(static_cast<double>(s.steps.size()) <= bound.steps);
            CHECK(static_cast<double>(s.deps.size()) <= bound.deps);
            CHECK(static_cast<double>(s.set_begin.size() - 1) <= bound.sets);
            CHECK(static_cast<double>(s.set_ranges.size()) <= bound.ranges);
          }
        }
      }
    }
  }
}

TEST_CASE("size_bound: exact where the closed form is the expansion's count") {
  // schedule.hpp: a ring all-reduce is a ring reduce-scatter then a ring all-gather, p-1 steps per rank each:
  // 2 p (p-1) steps, each but the first of a rank's waiting for one delivery; a tree all-reduce is a reduce up and
  // a broadcast down the binomial tree, p-1 steps each.
  for (int p : {2, 7, 16, 33}) {
    INFO("p=" << p);
    const double steps = 2.0 * p * (p - 1);
    CHECK(size_bound(make(CollectiveKind::all_reduce, Algorithm::ring, uniform(p, 4096))).steps == steps);
    CHECK(shardsim::collective::expand(make(CollectiveKind::all_reduce, Algorithm::ring, uniform(p, 4096))).steps.size() ==
          static_cast<std::size_t>(steps));
    CHECK(size_bound(make(CollectiveKind::all_reduce, Algorithm::tree, uniform(p, 4096))).steps == 2.0 * (p - 1));
    CHECK(shardsim::collective::expand(make(CollectiveKind::all_reduce, Algorithm::tree, uniform(p, 4096))).steps.size() ==
          static_cast<std::size_t>(2 * (p - 1)));
  }
  // A million ranks: the bound is computed without expanding (2 x 10^6 x (10^6 - 1) steps of a ring all-gather's
  // double; p(p-1) does not fit an int).
  CHECK(size_bound(make(CollectiveKind::all_gather, Algorithm::ring, uniform(1'000'000, 1))).steps ==
        2.0 * 1e6 * (1e6 - 1));
}
