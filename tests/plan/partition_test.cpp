// balanced_split: contiguous parts covering [0, extent), sizes differing by at most one, the larger ones first.

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "shardsim/plan/partition.hpp"
#include "shardsim/util/error.hpp"

using shardsim::InternalError;
using shardsim::plan::balanced_split;
using shardsim::plan::Range;

namespace {

std::vector<std::int64_t> sizes(const std::vector<Range>& ranges) {
  std::vector<std::int64_t> out;
  for (const Range& r : ranges) out.push_back(r.size);
  return out;
}

// Each range starts where the previous one ended, the first at 0, the last ends at `extent`.
void check_contiguous_cover(const std::vector<Range>& ranges, std::int64_t extent) {
  std::int64_t expected_begin = 0;
  for (const Range& r : ranges) {
    CHECK(r.begin == expected_begin);
    CHECK(r.size >= 0);
    expected_begin = r.end();
  }
  CHECK(expected_begin == extent);
}

}  // namespace

TEST_CASE("an even split gives extent / parts to every part") {
  // The seed notebook's split: 2048 activation columns over 4 machines is 2048 / 4 = 512 each, and part i
  // starts at i * 512 (its `i*piece:(i+1)*piece`).
  const auto ranges = balanced_split(2048, 4);
  REQUIRE(ranges.size() == 4);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    CHECK(ranges[i].begin == static_cast<std::int64_t>(i) * 512);
    CHECK(ranges[i].size == 512);
    CHECK(ranges[i].end() == static_cast<std::int64_t>(i + 1) * 512);
  }
  // 512 embedding columns over 256 machines: 512 / 256 = 2 each.
  CHECK(sizes(balanced_split(512, 256)) == std::vector<std::int64_t>(256, 2));
  // One part holds everything.
  const auto whole = balanced_split(2048, 1);
  REQUIRE(whole.size() == 1);
  CHECK(whole[0].begin == 0);
  CHECK(whole[0].size == 2048);
}

TEST_CASE("an uneven split gives the remainder to the first parts") {
  // 10 = 4 * 2 + 2: every part gets 2, the first 10 % 4 = 2 parts one more -> 3, 3, 2, 2 starting at 0, 3, 6, 8.
  const auto ranges = balanced_split(10, 4);
  CHECK(sizes(ranges) == std::vector<std::int64_t>{3, 3, 2, 2});
  CHECK(ranges[0].begin == 0);
  CHECK(ranges[1].begin == 3);
  CHECK(ranges[2].begin == 6);
  CHECK(ranges[3].begin == 8);
  check_contiguous_cover(ranges, 10);

  // 2048 = 7 * 292 + 4 -> four parts of 293, three of 292 (4 * 293 + 3 * 292 = 1172 + 876 = 2048).
  CHECK(sizes(balanced_split(2048, 7)) == std::vector<std::int64_t>{293, 293, 293, 293, 292, 292, 292});
  // 512 = 3 * 170 + 2 -> 171, 171, 170.
  CHECK(sizes(balanced_split(512, 3)) == std::vector<std::int64_t>{171, 171, 170});
}

TEST_CASE("every split is contiguous and covers 0 to extent") {
  for (std::int64_t extent : {0, 1, 2, 7, 10, 512, 2048, 12289}) {
    for (int parts : {1, 2, 3, 4, 7, 8, 13, 256, 1024}) {
      INFO("extent " << extent << ", parts " << parts);
      const auto ranges = balanced_split(extent, parts);
      REQUIRE(ranges.size() == static_cast<std::size_t>(parts));
      check_contiguous_cover(ranges, extent);
      // Balanced: sizes are floor(extent / parts) or one more, never increasing along the parts.
      for (std::size_t i = 0; i < ranges.size(); ++i) {
        CHECK(ranges[i].size - extent / parts >= 0);
        CHECK(ranges[i].size - extent / parts <= 1);
        if (i > 0) CHECK(ranges[i].size <= ranges[i - 1].size);
      }
    }
  }
}

TEST_CASE("more parts than elements gives empty ranges at the end") {
  // 3 over 5: 3 / 5 = 0 each, the first 3 % 5 = 3 parts get one -> 1, 1, 1, 0, 0. The empty tail ranges start
  // at the extent, so they still lie inside [0, extent].
  const auto ranges = balanced_split(3, 5);
  CHECK(sizes(ranges) == std::vector<std::int64_t>{1, 1, 1, 0, 0});
  CHECK(ranges[3].begin == 3);
  CHECK(ranges[4].begin == 3);
  check_contiguous_cover(ranges, 3);

  // Nothing to split: every part empty at 0.
  for (const Range& r : balanced_split(0, 4)) {
    CHECK(r.begin == 0);
    CHECK(r.size == 0);
  }
}

TEST_CASE("balanced_split rejects a negative extent and fewer than one part") {
  CHECK_THROWS_AS(balanced_split(-1, 4), InternalError);
  CHECK_THROWS_AS(balanced_split(10, 0), InternalError);
  CHECK_THROWS_AS(balanced_split(10, -2), InternalError);
}

// ---- weighted_split -------------------------------------------------------------------------------------------

TEST_CASE("a weighted split: floors of the shares, the left-over elements to the largest remainders") {
  using shardsim::plan::weighted_split;
  auto sizes = [](const std::vector<Range>& ranges) {
    std::vector<std::int64_t> out;
    std::int64_t begin = 0;
    for (const Range& r : ranges) {
      CHECK(r.begin == begin);  // contiguous
      begin = r.end();
      out.push_back(r.size);
    }
    return out;
  };
  // 7 x 2/3 = 4.67 and 7 x 1/3 = 2.33: floors 4 and 2, the one left over to the first (remainder 0.67).
  CHECK(sizes(weighted_split(7, {2, 1})) == std::vector<std::int64_t>{5, 2});
  // 80 layers as 3 : 1 : 1 = 48, 16, 16 exactly.
  CHECK(sizes(weighted_split(80, {3, 1, 1})) == std::vector<std::int64_t>{48, 16, 16});
  // 10 x 0.5, 0.25, 0.25 = 5, 2.5, 2.5: the tie of remainders goes to the lower index.
  CHECK(sizes(weighted_split(10, {2, 1, 1})) == std::vector<std::int64_t>{5, 3, 2});
  // Equal weights are the balanced split, whatever their scale.
  for (const std::int64_t extent : {0, 1, 7, 80, 1001}) {
    for (const int parts : {1, 3, 7}) {
      const auto balanced = balanced_split(extent, parts);
      const auto weighted = weighted_split(extent, std::vector<double>(static_cast<std::size_t>(parts), 2.5));
      REQUIRE(balanced.size() == weighted.size());
      for (std::size_t i = 0; i < balanced.size(); ++i) CHECK(balanced[i].size == weighted[i].size);
    }
  }
  CHECK_THROWS_AS(weighted_split(4, {1, 0}), InternalError);
}
