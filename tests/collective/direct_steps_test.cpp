// direct_steps.hpp: the direct algorithm's steps computed one at a time must be the expanded schedule's, step for
// step (source, destination, bytes), and each rank's sends the expanded schedule's steps from that rank, for every
// kind, root, several rank counts and uneven pieces (reductions: one vector size that does not divide by p).

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "schedule_helpers.hpp"
#include "shardsim/collective/collective.hpp"
#include "shardsim/collective/direct_steps.hpp"

using namespace collective_test;  // the names of schedule_helpers.hpp
using shardsim::collective::direct_sends;
using shardsim::collective::direct_step;
using shardsim::collective::direct_step_count;

TEST_CASE("direct steps computed one at a time are the expanded schedule's") {
  for (const CollectiveKind kind : all_kinds) {
    for (int p : {1, 2, 3, 5, 8}) {
      for (int root : {0, p / 2, p - 1}) {
        // Uneven pieces (rank r's is 7 + 3r bytes); a reduction's vectors are all 11 bytes (not a multiple of p).
        I64 pieces;
        for (int r = 0; r < p; ++r) pieces.push_back(is_reduction(kind) ? 11 : 7 + 3 * r);
        const CollectiveSpec spec = make(kind, Algorithm::direct, pieces, root);
        const Schedule expanded = shardsim::collective::expand(spec);
        INFO(std::string(shardsim::collective::to_string(kind)) << " p=" << p << " root=" << root);
        REQUIRE(direct_step_count(spec) == expanded.steps.size());
        for (std::uint32_t k = 0; k < expanded.steps.size(); ++k) {
          const auto computed = direct_step(spec, k);
          CHECK(computed.src == expanded.steps[k].src);
          CHECK(computed.dst == expanded.steps[k].dst);
          CHECK(computed.bytes == expanded.steps[k].bytes);
        }
        for (int r = 0; r < p; ++r) {
          std::vector<std::uint32_t> from_r;
          for (std::uint32_t k = 0; k < expanded.steps.size(); ++k) {
            if (expanded.steps[k].src == r) from_r.push_back(k);
          }
          const auto range = direct_sends(spec, r);
          std::vector<std::uint32_t> listed;
          for (int i = 0; i < range.count; ++i) listed.push_back(static_cast<std::uint32_t>(range.first + i));
          CHECK(listed == from_r);
        }
      }
    }
  }
}
