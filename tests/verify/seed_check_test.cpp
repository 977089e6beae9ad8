// check_seed_layer: the seed notebook's MLP layer y = relu(x @ expand) @ reduce (512 x 2048, batch 6, iterated
// 10 times) split across N machines agrees with the single-machine layer to float32 rounding for every correct
// partition, and disagrees by O(1) for wrong ones -- so `shardsim verify` can both pass and fail.
//
// The rounding bound used below, kRoundingBound = 1e-5, derived:
//   float32 unit roundoff u = 2^-24 ~ 6.0e-8. Sharding changes no arithmetic, only how Eigen blocks the matmul
//   loops and hence the summation order inside each dot product (512 terms, then 2048 terms). A dot product of
//   n random-sign terms summed in float accumulates about u * sqrt(n) relative error (rounding errors of partial
//   sums add like a random walk): u * sqrt(2048) ~ 2.7e-6 for one layer in the very worst case of a completely
//   different order, and Eigen's blocked kernels do better -- measured against the same chain in double, one
//   float chain is 3.3e-7 off after the first layer and 0.9e-6 to 1.2e-6 after ten (seeds 1..5 and 30). Two
//   float chains that are each within 1.3e-6 of the exact one are within 2.6e-6 of each other, so 1e-5 leaves a
//   4x margin over that, while a wrong partition (below) is off by 0.03 to 1.5: four orders of magnitude apart.

#include <catch2/catch.hpp>
#include <cstdint>
#include <utility>
#include <vector>

#include "shardsim/plan/partition.hpp"
#include "shardsim/verify/seed_check.hpp"
#include "shardsim/util/error.hpp"

using shardsim::InternalError;
using shardsim::plan::balanced_split;
using shardsim::verify::check_seed_layer;
using shardsim::plan::Range;
using shardsim::verify::SeedCheckOptions;
using shardsim::verify::SeedCheckResult;

namespace {

constexpr double kRoundingBound = 1e-5;  // derived in the header comment above
constexpr double kWrongBound = 1e-2;     // a wrong plan must be at least this far off

// The notebook's split over n machines: expand columns (d_ff) and reduce columns (d_model) both cut n ways.
SeedCheckResult check_balanced(const SeedCheckOptions& options, int machines) {
  return check_seed_layer(options, balanced_split(options.d_ff, machines),
                          balanced_split(options.d_model, machines));
}

// Sanity of the result's shape: one error per iteration, and the max is their max.
void check_shape(const SeedCheckResult& r, const SeedCheckOptions& options) {
  REQUIRE(r.relative_error.size() == static_cast<std::size_t>(options.iterations));
  double max = 0.0;
  for (double e : r.relative_error) max = e > max ? e : max;
  CHECK(r.max_relative_error == max);
}

}  // namespace

TEST_CASE("one machine reproduces the single-machine layer bit for bit") {
  // With one machine holding expand[:, 0:2048] and reduce[:, 0:512], the sharded layer runs the same Eigen
  // products on the same operands (a block spanning every column has the same data pointer, sizes and stride
  // as the matrix) followed by copies, so every float is identical: the error is exactly 0, not merely small.
  const SeedCheckOptions options;
  const auto r = check_balanced(options, 1);
  check_shape(r, options);
  for (double e : r.relative_error) CHECK(e == 0.0);
  CHECK(r.max_relative_error == 0.0);
  CHECK(r.sharded_sum == r.single_sum);
}

TEST_CASE("the notebook's even splits agree with one machine to float32 rounding") {
  // The notebook ran 4, 8 and 256 machines (cells 17-19); 2 is the smallest real split. 256 machines hold
  // 2048 / 256 = 8 expand columns and 512 / 256 = 2 reduce columns each.
  // (Splits at multiples of the SIMD width may even come out bitwise equal; that is Eigen's business and
  // not asserted.)
  const SeedCheckOptions options;
  for (int machines : {2, 4, 8, 256}) {
    INFO(machines << " machines");
    const auto r = check_balanced(options, machines);
    check_shape(r, options);
    CHECK(r.max_relative_error < kRoundingBound);
  }
}

TEST_CASE("uneven splits agree with one machine to float32 rounding") {
  const SeedCheckOptions options;
  SECTION("3 machines: expand 683, 683, 682 columns; reduce 171, 171, 170") {
    // 2048 = 3 * 682 + 2 and 512 = 3 * 170 + 2: the first two machines get one more column.
    REQUIRE(balanced_split(2048, 3)[0].size == 683);
    REQUIRE(balanced_split(512, 3)[2].size == 170);
    const auto r = check_balanced(options, 3);
    check_shape(r, options);
    CHECK(r.max_relative_error < kRoundingBound);
  }
  SECTION("7 machines: expand 4 x 293 + 3 x 292; reduce 74 + 6 x 73") {
    // 2048 = 7 * 292 + 4 and 512 = 7 * 73 + 1.
    REQUIRE(balanced_split(2048, 7)[3].size == 293);
    REQUIRE(balanced_split(512, 7)[0].size == 74);
    const auto r = check_balanced(options, 7);
    check_shape(r, options);
    CHECK(r.max_relative_error < kRoundingBound);
  }
  SECTION("lopsided but correct: expand 1 + 2047 columns, reduce 511 + 1") {
    // Not balanced, still a partition in order, so still the same layer.
    const std::vector<Range> expand{{0, 1}, {1, 2047}};
    const std::vector<Range> reduce{{0, 511}, {511, 1}};
    CHECK(check_seed_layer(options, expand, reduce).max_relative_error < kRoundingBound);
  }
  SECTION("more machines than columns: the idle machines hold empty ranges") {
    // A small layer (d_model 16, d_ff 64) over 100 machines: 64 machines hold one expand column and 36 none,
    // 16 hold one reduce column and 84 none. Empty pieces add no columns to the concatenation.
    SeedCheckOptions small;
    small.d_model = 16;
    small.d_ff = 64;
    const auto r = check_balanced(small, 100);
    check_shape(r, small);
    CHECK(r.max_relative_error < kRoundingBound);
  }
}

TEST_CASE("the check is deterministic and depends on the seed") {
  // Fixed seed -> the same weights and inputs -> bitwise the same result on a second call.
  const SeedCheckOptions options;
  const auto a = check_balanced(options, 3);
  const auto b = check_balanced(options, 3);
  CHECK(a.relative_error == b.relative_error);
  CHECK(a.single_sum == b.single_sum);
  CHECK(a.sharded_sum == b.sharded_sum);

  // Golden value pinning the generator (mt19937_64 seeded with 30, Box-Muller, drawn expand, reduce, x, each
  // row-major): the sum of the final 6 x 512 output. The notebook's -0.0906 came from JAX's generator and is
  // not comparable. Margin: float rounding moves the output by at most kRoundingBound * ||y||_F
  // (||y||_F ~ 0.056 after 10 layers) = 5.6e-7 in Frobenius norm, hence the sum of its 3072 elements by at most
  // sqrt(3072) * 5.6e-7 ~ 3e-5 (Cauchy-Schwarz). Another generator would give a sum of order ||y||_F, typically
  // 0.05 or more away.
  CHECK(a.single_sum == Approx(0.00480619406).margin(3e-5));
  CHECK(a.sharded_sum == Approx(a.single_sum).margin(3e-5));

  SeedCheckOptions other = options;
  other.seed = 31;
  CHECK(check_balanced(other, 3).single_sum != Approx(a.single_sum).margin(3e-5));
}

// Negative tests: wrong plans must fail the check. Expected first-iteration errors, with c_k = a_k @ R_k the
// contribution of activation block k through reduce rows k (four blocks of 512 columns, each carrying ~1/4 of
// ||y||^2, independent of each other). When a block's activations meet another block's reduce rows, the error
// (a_j - a_k) @ R_k has norm^2 ~ 2 (1 - 1/pi) / 4 = 0.34: relu(N(0, s^2)) has mean s / sqrt(2 pi) and second
// moment s^2 / 2, so the part two activation blocks share (their mean) is 1/pi of the energy and cancels.
// Output columns of different reduce columns are independent, so moving or dropping a block of them costs
// their full energy. Errors then grow over the 10 iterations (the wrong output is fed back), so max >= [0].
TEST_CASE("a plan that drops a column range fails the check") {
  const SeedCheckOptions options;
  const auto expand = balanced_split(2048, 4);
  const auto reduce = balanced_split(512, 4);

  SECTION("machine 3 holds no expand columns") {
    // Activation columns 1536..2047 stay zero: c_3 is missing, ||c_3||^2 / ||y||^2 = 1/4 -> sqrt(1/4) = 0.5.
    auto wrong = expand;
    wrong[3] = Range{0, 0};
    const auto r = check_seed_layer(options, wrong, reduce);
    check_shape(r, options);
    CHECK(r.relative_error[0] == Approx(0.5).margin(0.1));
    CHECK(r.max_relative_error > kWrongBound);
  }
  SECTION("machine 2 holds no expand columns") {
    // hstack shifts machine 3's block into positions 1024..1535 and leaves 1536..2047 zero: error c_3 plus
    // (a_2 - a_3) @ R_2 -> sqrt(1/4 + 0.34) = 0.77.
    auto wrong = expand;
    wrong[2] = Range{0, 0};
    const auto r = check_seed_layer(options, wrong, reduce);
    CHECK(r.relative_error[0] == Approx(0.77).margin(0.1));
    CHECK(r.max_relative_error > kWrongBound);
  }
  SECTION("machine 1 holds no reduce columns") {
    // Output blocks of 128 columns: blocks 2 and 3 move to positions 1 and 2 (2 x (1/4 + 1/4) of the energy,
    // independent columns), position 3 stays zero (1/4) -> sqrt(5/4) = 1.12.
    auto wrong = reduce;
    wrong[1] = Range{0, 0};
    const auto r = check_seed_layer(options, expand, wrong);
    CHECK(r.relative_error[0] == Approx(1.12).margin(0.1));
    CHECK(r.max_relative_error > kWrongBound);
  }
  SECTION("a single expand column of 2048 is missing") {
    // Machine 1 holds 1024..2046: activation column 2047 stays zero, one of 2048 equal contributions ->
    // sqrt(1/2048) = 0.022 after one layer, growing as it is fed back; still 2000x the rounding bound.
    const std::vector<Range> wrong{{0, 1024}, {1024, 1023}};
    const auto r = check_seed_layer(options, wrong, balanced_split(512, 2));
    CHECK(r.relative_error[0] == Approx(0.022).margin(0.01));
    CHECK(r.max_relative_error > kWrongBound);
  }
}

TEST_CASE("a plan that duplicates a column range fails the check") {
  const SeedCheckOptions options;
  const auto expand = balanced_split(2048, 4);
  const auto reduce = balanced_split(512, 4);

  SECTION("machines 2 and 3 hold the same expand columns") {
    // Activation columns 1536..2047 repeat 1024..1535: error (a_2 - a_3) @ R_3 -> sqrt(0.34) = 0.58.
    auto wrong = expand;
    wrong[3] = wrong[2];
    const auto r = check_seed_layer(options, wrong, reduce);
    CHECK(r.relative_error[0] == Approx(0.58).margin(0.1));
    CHECK(r.max_relative_error > kWrongBound);
  }
  SECTION("machines 2 and 3 hold the same reduce columns") {
    // Output columns 384..511 repeat 256..383 instead of their own: 2 x 1/4 of the energy -> sqrt(1/2) = 0.71.
    auto wrong = reduce;
    wrong[3] = wrong[2];
    const auto r = check_seed_layer(options, expand, wrong);
    CHECK(r.relative_error[0] == Approx(0.71).margin(0.1));
    CHECK(r.max_relative_error > kWrongBound);
  }
}

TEST_CASE("a complete cover in the wrong machine order fails the check") {
  // The pieces are concatenated in machine order, so swapping machines 0 and 3 is wrong even though every
  // column is held exactly once.
  const SeedCheckOptions options;
  auto expand = balanced_split(2048, 4);
  auto reduce = balanced_split(512, 4);
  SECTION("expand") {
    // Two blocks meet the wrong reduce rows: 2 x 0.34 -> sqrt(0.68) = 0.82.
    std::swap(expand[0], expand[3]);
    const auto r = check_seed_layer(options, expand, reduce);
    CHECK(r.relative_error[0] == Approx(0.82).margin(0.1));
    CHECK(r.max_relative_error > kWrongBound);
  }
  SECTION("reduce") {
    // Output blocks 0 and 3 trade places: 2 x (1/4 + 1/4) of the energy -> 1.0.
    std::swap(reduce[0], reduce[3]);
    const auto r = check_seed_layer(options, expand, reduce);
    CHECK(r.relative_error[0] == Approx(1.0).margin(0.1));
    CHECK(r.max_relative_error > kWrongBound);
  }
}

TEST_CASE("ranges outside the matrices are internal errors") {
  // Validation happens before any arithmetic, so a small layer is enough. expand is 16 x 64, reduce 64 x 16.
  SeedCheckOptions small;
  small.d_model = 16;
  small.d_ff = 64;
  const auto expand = balanced_split(64, 2);
  const auto reduce = balanced_split(16, 2);

  CHECK_THROWS_AS(check_seed_layer(small, {{-1, 10}, {9, 55}}, reduce), InternalError);  // begin < 0
  CHECK_THROWS_AS(check_seed_layer(small, {{0, 32}, {32, -1}}, reduce), InternalError);  // size < 0
  CHECK_THROWS_AS(check_seed_layer(small, {{0, 32}, {32, 33}}, reduce), InternalError);  // ends at 65 > 64
  CHECK_THROWS_AS(check_seed_layer(small, {{0, 32}, {65, 0}}, reduce), InternalError);   // begins past the end
  CHECK_THROWS_AS(check_seed_layer(small, expand, {{0, 8}, {8, 9}}), InternalError);     // ends at 17 > 16
  // Counts: one range of each per machine, at least one machine.
  CHECK_THROWS_AS(check_seed_layer(small, expand, balanced_split(16, 3)), InternalError);
  CHECK_THROWS_AS(check_seed_layer(small, {}, {}), InternalError);
  // Non-positive options.
  SeedCheckOptions no_iterations = small;
  no_iterations.iterations = 0;
  CHECK_THROWS_AS(check_seed_layer(no_iterations, expand, reduce), InternalError);

  // The edge is inside: an empty range at the very end (what balanced_split gives idle machines) is allowed,
  // and so is any wrong-but-inside plan -- it is measured, not rejected.
  CHECK_NOTHROW(check_seed_layer(small, {{0, 64}, {64, 0}}, {{0, 16}, {16, 0}}));
  CHECK_NOTHROW(check_seed_layer(small, {{0, 64}, {0, 64}}, reduce));
}
