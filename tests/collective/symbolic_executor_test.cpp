// The symbolic executor (symbolic_executor.hpp) run over every supported (kind, algorithm): p = 1..17, several
// roots, piece sizes large and tiny (zero-byte parts included), and uneven and interleaved groups for hierarchical;
// and shown to catch what it is there to catch.

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "printing.hpp"
#include "schedule_helpers.hpp"
#include "shardsim/collective/collective.hpp"
#include "symbolic_executor.hpp"

using namespace collective_test;  // the names of schedule_helpers.hpp

namespace {

// Group patterns for the hierarchical algorithm.
std::vector<std::vector<int>> group_patterns(int p) {
  std::vector<std::vector<int>> out;
  out.emplace_back();  // one group
  std::vector<int> blocks, interleaved, alone, scattered;
  for (int r = 0; r < p; ++r) {
    int g = 0;  // contiguous, sizes 1, 2, 3, ...
    while ((g + 1) * (g + 2) / 2 <= r) ++g;
    blocks.push_back(g);
    interleaved.push_back(r % 3);
    alone.push_back(r);
    scattered.push_back((r * 7 % 5) * 10 - 20);  // uneven, interleaved, negative ids
  }
  out.push_back(blocks);
  out.push_back(interleaved);
  out.push_back(alone);
  out.push_back(scattered);
  return out;
}

}  // namespace

TEST_CASE("every supported algorithm delivers exactly what its collective promises, p = 1..17") {
  int checked = 0;
  for (int p = 1; p <= 17; ++p) {
    std::set<int> root_set{0, p / 2, p - 1};
    for (CollectiveKind kind : all_kinds) {
      for (Algorithm algorithm : all_algorithms) {
        if (!supports(kind, algorithm)) continue;
        // Large uneven pieces, and tiny ones (zero bytes included) so that some parts are empty.
        for (int pattern = 0; pattern < 2; ++pattern) {
          I64 pieces;
          for (int r = 0; r < p; ++r) {
            if (is_reduction(kind)) {
              pieces.push_back(pattern == 0 ? 1000 : 5);
            } else {
              pieces.push_back(pattern == 0 ? 100 + 37 * r : r % 3);
            }
          }
          const auto groups = algorithm == Algorithm::hierarchical ? group_patterns(p)
                                                                    : std::vector<std::vector<int>>{{}};
          for (const auto& g : groups) {
            for (int root : root_set) {
              const auto spec = make(kind, algorithm, pieces, root, g);
              std::string group_ids;
              for (int id : g) group_ids += std::to_string(id) + " ";
              INFO(std::string(shardsim::collective::to_string(kind))
                   << " by " << std::string(shardsim::collective::to_string(algorithm)) << ", p = " << p
                   << ", root " << root << ", pieces pattern " << pattern << ", groups [ " << group_ids << "]");
              const Schedule s = expand(spec);
              CHECK(verify(spec, s) == "");
              ++checked;
            }
          }
        }
      }
    }
  }
  CHECK(checked > 2000);
}

TEST_CASE("the symbolic executor catches a missing dependency and a double-counted contributor") {
  // Ring all-gather on 3 ranks: step 3 (round 1, rank 0) forwards rank 2's piece received in step 2. Without that
  // dependency rank 0 might send before it has the piece.
  auto spec = make(CollectiveKind::all_gather, Algorithm::ring, {1, 2, 3});
  Schedule s = expand(spec);
  REQUIRE(verify(spec, s).empty());
  REQUIRE(s.deps_of(3).size() == 1);
  REQUIRE(s.deps_of(3)[0] == 2);
  s.deps[s.dep_begin[3]] = 0;  // now it depends on an unrelated step
  CHECK(verify(spec, s).find("does not hold") != std::string::npos);

  // Direct all-reduce on 2 ranks, with rank 0's message sent twice: rank 1 would add rank 0's vector twice.
  auto reduce = make(CollectiveKind::all_reduce, Algorithm::direct, {8, 8});
  Schedule r = expand(reduce);
  REQUIRE(verify(reduce, r).empty());
  r.steps.push_back(r.steps.front());
  r.dep_begin.push_back(r.dep_begin.back());
  CHECK(verify(reduce, r).find("already has") != std::string::npos);
}
