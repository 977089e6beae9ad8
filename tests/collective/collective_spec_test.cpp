// What a collective is and delivers (collective_spec.hpp): which algorithm expands which kind, the names users
// write, the balanced split, and the bytes every rank holds as the result.
//
// Notation: p ranks, pieces m_r with sum S, reduction vectors of V bytes, b_r = block r of V (the balanced split:
// the first V mod p blocks hold one byte more).

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "printing.hpp"
#include "schedule_helpers.hpp"
#include "shardsim/collective/collective.hpp"
#include "shardsim/util/error.hpp"

using shardsim::InternalError;
using namespace collective_test;  // the names of schedule_helpers.hpp

TEST_CASE("supports: which algorithm expands which collective") {
  // The table in collective_spec.hpp.
  for (CollectiveKind kind : all_kinds) {
    INFO(std::string(shardsim::collective::to_string(kind)));
    CHECK(supports(kind, Algorithm::direct));
    CHECK(supports(kind, Algorithm::ring));
    CHECK(supports(kind, Algorithm::tree) == (kind != CollectiveKind::all_to_all));
    CHECK(supports(kind, Algorithm::hierarchical) == (kind != CollectiveKind::all_to_all));
    CHECK(supports(kind, Algorithm::recursive_doubling) ==
          (kind == CollectiveKind::all_gather || kind == CollectiveKind::all_reduce ||
           kind == CollectiveKind::reduce_scatter));
  }
}

TEST_CASE("names of kinds and algorithms, for the scenario loader") {
  using shardsim::collective::algorithm_names;
  using shardsim::collective::kind_names;
  using shardsim::collective::to_string;
  const auto algorithms = algorithm_names();
  REQUIRE(algorithms.size() == 5);
  CHECK(algorithms[0].first == "direct");
  CHECK(algorithms[1].first == "ring");
  CHECK(algorithms[2].first == "tree");
  CHECK(algorithms[3].first == "recursive_doubling");
  CHECK(algorithms[4].first == "hierarchical");
  for (const auto& [name, a] : algorithms) CHECK(to_string(a) == name);
  const auto kinds = kind_names();
  REQUIRE(kinds.size() == 7);
  std::vector<std::string> names;
  for (const auto& [name, k] : kinds) names.emplace_back(name);
  CHECK(names == std::vector<std::string>{"broadcast", "gather", "all_gather", "reduce", "all_reduce",
                                          "reduce_scatter", "all_to_all"});
  for (std::size_t i = 0; i < kinds.size(); ++i) CHECK(kinds[i].second == all_kinds[i]);
  // Display names keep the hyphen of "all-gather".
  CHECK(to_string(CollectiveKind::reduce) == "reduce");
  CHECK(to_string(CollectiveKind::all_reduce) == "all-reduce");
  CHECK(to_string(CollectiveKind::reduce_scatter) == "reduce-scatter");
  CHECK(to_string(CollectiveKind::all_to_all) == "all-to-all");
}

TEST_CASE("balanced parts hold at most one byte more than each other") {
  using shardsim::collective::part_bytes;
  // 10 B in 4 parts: 10 = 4 * 2 + 2, so the first two parts get 3 B: 3, 3, 2, 2.
  CHECK(part_bytes(Bytes{10}, 4, 0) == Bytes{3});
  CHECK(part_bytes(Bytes{10}, 4, 1) == Bytes{3});
  CHECK(part_bytes(Bytes{10}, 4, 2) == Bytes{2});
  CHECK(part_bytes(Bytes{10}, 4, 3) == Bytes{2});
  // Fewer bytes than parts: 2 B in 5 parts is 1, 1, 0, 0, 0.
  CHECK(part_bytes(Bytes{2}, 5, 1) == Bytes{1});
  CHECK(part_bytes(Bytes{2}, 5, 2) == Bytes{0});
  for (std::int64_t total : {0, 1, 7, 1000, 1001}) {
    for (int n = 1; n <= 9; ++n) {
      std::int64_t sum = 0;
      for (int i = 0; i < n; ++i) sum += part_bytes(Bytes{total}, n, i).count;
      CHECK(sum == total);
    }
  }
  CHECK_THROWS_AS(part_bytes(Bytes{10}, 4, 4), InternalError);
}

TEST_CASE("payload delivered and results of the reductions and all-to-all") {
  using shardsim::collective::payload_delivered;
  using shardsim::collective::result_bytes;
  // 4 ranks, V = 10 (blocks 3, 3, 2, 2).
  const auto reduce = make(CollectiveKind::reduce, Algorithm::direct, uniform(4, 10), 2);
  CHECK(result_bytes(reduce) == Bytes{10});
  CHECK(result_bytes(reduce, 2) == Bytes{10});  // the root holds V
  CHECK(result_bytes(reduce, 0) == Bytes{0});
  CHECK(payload_delivered(reduce) == Bytes{10});  // V
  const auto all_reduce = make(CollectiveKind::all_reduce, Algorithm::direct, uniform(4, 10));
  CHECK(result_bytes(all_reduce, 3) == Bytes{10});
  CHECK(payload_delivered(all_reduce) == Bytes{40});  // p V
  const auto reduce_scatter = make(CollectiveKind::reduce_scatter, Algorithm::direct, uniform(4, 10));
  CHECK(result_bytes(reduce_scatter) == Bytes{10});  // the whole result, spread over the ranks
  CHECK(result_bytes(reduce_scatter, 0) == Bytes{3});
  CHECK(result_bytes(reduce_scatter, 3) == Bytes{2});
  CHECK(payload_delivered(reduce_scatter) == Bytes{10});  // V in total
  // All-to-all, pieces 1, 2, 3, 4 (S = 10): every rank ends with one piece from each rank, S.
  const auto a2a = make(CollectiveKind::all_to_all, Algorithm::direct, {1, 2, 3, 4});
  CHECK(result_bytes(a2a, 0) == Bytes{10});
  CHECK(payload_delivered(a2a) == Bytes{40});  // p S
  // The existing kinds per rank: gather holds S on the root only; broadcast and all-gather on every rank.
  const auto gather = make(CollectiveKind::gather, Algorithm::direct, {1, 2, 3, 4}, 1);
  CHECK(result_bytes(gather, 1) == Bytes{10});
  CHECK(result_bytes(gather, 0) == Bytes{0});
  CHECK(result_bytes(make(CollectiveKind::broadcast, Algorithm::direct, {1, 2, 3, 4}, 1), 3) == Bytes{2});
}
