// check_tensor_layer: a pre-norm decoder layer (GQA attention + SwiGLU MLP; d_model 256, 8 query heads of 32,
// d_ff 688, 5 tokens, iterated 3 times) split Megatron-style over T ranks agrees with the unsharded layer to
// float32 rounding for every valid T, and disagrees by 0.008 to 1.4 when the split is wrong -- so a later
// `shardsim verify --plan tensor` can both pass and fail.
//
// The rounding bound used below, kRoundingBound = 2e-6, derived:
//   float32 unit roundoff u = 2^-24 ~ 6.0e-8. Sharding changes no arithmetic, only the summation order of the
//   W_o (256 terms) and W_down (688 terms) reductions -- the all-reduce adds T partial sums -- and how Eigen
//   blocks the products. A dot product of n random-sign terms summed in float is off by about u * sqrt(n)
//   relative (a random walk of rounding errors): u * sqrt(688) ~ 1.6e-6 for a completely different order, an
//   overestimate here since only T - 1 partial-sum boundaries move. Measured against the same chain in double
//   (seeds 1..5 and 30, kv_heads 2 and 8): one float chain is 2.5e-7 to 3.6e-7 off after the first layer and
//   at most 4.3e-7 after three (3.7e-7 after ten: the residual stream dominates and RMSNorm is well
//   conditioned, so errors do not grow). Two chains each within 4.3e-7 of the exact one are within 8.6e-7 of
//   each other; 2e-6 leaves a 2x margin over that (the measured sharded-vs-unsharded errors are 2.0e-7 to
//   3.7e-7), while the smallest fault below (one d_ff column of 688 dropped) is 8e-3 off: 4000x apart.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "printing.hpp"
#include "shardsim/verify/tensor_check.hpp"

using shardsim::verify::check_tensor_layer;
using shardsim::verify::tensor_degree_problem;
using shardsim::verify::TensorCheckOptions;
using shardsim::verify::TensorCheckResult;
using shardsim::verify::TensorFault;

namespace {

constexpr double kRoundingBound = 2e-6;  // derived in the header comment above
constexpr double kWrongBound = 1e-3;     // a wrong split must be at least this far off (500x the bound)

// Sanity of the result's shape: one error per iteration, and the max is their max.
void check_shape(const TensorCheckResult& r, const TensorCheckOptions& options) {
  REQUIRE(r.relative_error.size() == static_cast<std::size_t>(options.iterations));
  double max = 0.0;
  for (double e : r.relative_error) max = e > max ? e : max;
  CHECK(r.max_relative_error == max);
}

TensorCheckOptions mha() {
  TensorCheckOptions o;
  o.kv_heads = o.heads;  // 8 KV heads: every query head its own
  return o;
}

}  // namespace

TEST_CASE("one rank reproduces the unsharded layer bit for bit") {
  // With T = 1 rank 0 holds copies of every weight matrix (same sizes, freshly allocated like the originals),
  // multiplies the same activations by them with the same Eigen kernels, passes every head through the same
  // attention_head on equally copied blocks, and its all-reduce is its own partial (p_0, no addition): every
  // float is identical, so the error is exactly 0, not merely small.
  for (const TensorCheckOptions& options : {TensorCheckOptions{}, mha()}) {
    INFO("kv_heads " << options.kv_heads);
    const auto r = check_tensor_layer(options, 1);
    check_shape(r, options);
    for (double e : r.relative_error) CHECK(e == 0.0);
    CHECK(r.max_relative_error == 0.0);
    CHECK(r.sharded_sum == r.single_sum);
  }
}

TEST_CASE("grouped-query attention split over 2, 4 and 8 ranks agrees to float32 rounding") {
  // 8 query heads, 2 KV heads (groups of 4 query heads). T = 2: each rank holds 4 query heads and the one KV
  // head they share (KV heads sharded). T = 4: 2 query heads each; ranks 0 and 1 both hold KV head 0, ranks 2
  // and 3 KV head 1 (replicated). T = 8: one query head each, every KV head on 4 ranks. d_ff 688 = 2 x 344 =
  // 4 x 172 = 8 x 86: even MLP splits.
  const TensorCheckOptions options;
  for (int degree : {2, 4, 8}) {
    INFO(degree << " ranks");
    REQUIRE(tensor_degree_problem(options, degree).empty());
    const auto r = check_tensor_layer(options, degree);
    check_shape(r, options);
    CHECK(r.max_relative_error < kRoundingBound);
  }
}

TEST_CASE("multi-head attention (kv_heads == heads) split over 2, 4 and 8 ranks agrees to float32 rounding") {
  // 8 KV heads: rank r holds KV heads [r * 8 / T, (r + 1) * 8 / T), the same as its query heads.
  const TensorCheckOptions options = mha();
  for (int degree : {2, 4, 8}) {
    INFO(degree << " ranks");
    const auto r = check_tensor_layer(options, degree);
    check_shape(r, options);
    CHECK(r.max_relative_error < kRoundingBound);
  }
}

TEST_CASE("several KV heads per rank, and uneven d_ff splits, agree to float32 rounding") {
  SECTION("kv_heads 4: two KV heads per rank at T = 2, one at T = 4, replicated on two ranks at T = 8") {
    // At T = 2 rank 1 holds query heads 4..7 and KV heads 2, 3: its local KV index is i / 2 - 2, which the
    // one-KV-head-per-rank cases above never exercise beyond 0.
    TensorCheckOptions options;
    options.kv_heads = 4;
    for (int degree : {2, 4, 8}) {
      INFO(degree << " ranks");
      CHECK(check_tensor_layer(options, degree).max_relative_error < kRoundingBound);
    }
  }
  SECTION("d_ff 690 over 4 ranks: 173, 173, 172, 172 columns") {
    // 690 = 4 * 172 + 2: balanced_split gives the first two ranks one more column. Column-parallel W_gate /
    // W_up with row-parallel W_down is exact for any partition of d_ff in order, even or not.
    TensorCheckOptions options;
    options.d_ff = 690;
    CHECK(tensor_degree_problem(options, 4).empty());
    CHECK(check_tensor_layer(options, 4).max_relative_error < kRoundingBound);
  }
  SECTION("d_ff 689 over 8 ranks: 87 + 7 x 86 columns") {
    TensorCheckOptions options;
    options.d_ff = 689;
    CHECK(check_tensor_layer(options, 8).max_relative_error < kRoundingBound);
  }
}

TEST_CASE("the tensor check is deterministic and depends on the seed") {
  const TensorCheckOptions options;
  const auto a = check_tensor_layer(options, 4);
  const auto b = check_tensor_layer(options, 4);
  CHECK(a.relative_error == b.relative_error);
  CHECK(a.single_sum == b.single_sum);
  CHECK(a.sharded_sum == b.sharded_sum);

  // Golden value pinning the generator (mt19937_64 seeded with 30, Box-Muller, drawn in the header's order):
  // the sum of the final 5 x 256 output. Margin: rounding (other compilers, libm's last ulp) moves y by about
  // kRoundingBound * ||y||_F (||y||_F ~ 101 after 3 layers) = 2e-4 in Frobenius norm, hence the sum of its
  // 1280 elements by at most sqrt(1280) * 2e-4 ~ 7e-3 (Cauchy-Schwarz): margin 1e-2. Another generator would
  // give elements of rms ||y||_F / sqrt(1280) ~ 2.8 and a sum typically sqrt(1280) x 2.8 ~ 100 away.
  CHECK(a.single_sum == Approx(-109.879063).margin(1e-2));
  CHECK(a.sharded_sum == Approx(a.single_sum).margin(1e-2));

  TensorCheckOptions other = options;
  other.seed = 31;
  CHECK(check_tensor_layer(other, 4).single_sum != Approx(a.single_sum).margin(1e-2));
}

TEST_CASE("invalid tensor-parallel degrees are rejected with the constraint they break") {
  const TensorCheckOptions options;  // heads 8, kv_heads 2, d_ff 688
  for (int degree : {1, 2, 4, 8}) CHECK(tensor_degree_problem(options, degree).empty());

  CHECK(tensor_degree_problem(options, 0) == "the tensor-parallel degree (0) must be at least 1");
  CHECK(tensor_degree_problem(options, -2) == "the tensor-parallel degree (-2) must be at least 1");
  CHECK(tensor_degree_problem(options, 16) == "heads (8) must be divisible by the tensor-parallel degree (16)");

  TensorCheckOptions big;
  big.heads = 32;
  big.kv_heads = 8;
  CHECK(tensor_degree_problem(big, 3) == "heads (32) must be divisible by the tensor-parallel degree (3)");

  // heads 12 with kv_heads 4 (groups of 3 query heads): T = 6 divides the heads, but 4 % 6 != 0 and 6 % 4 != 0:
  // rank 1's query heads 2 and 3 straddle KV heads 0 and 1 -- Megatron-LM rejects it, so do we.
  TensorCheckOptions straddle;
  straddle.heads = 12;
  straddle.kv_heads = 4;
  CHECK(tensor_degree_problem(straddle, 6) ==
        "kv_heads (4) must be divisible by the tensor-parallel degree (6), or the degree by kv_heads");
  CHECK(tensor_degree_problem(straddle, 2).empty());   // 4 % 2 == 0: KV heads sharded
  CHECK(tensor_degree_problem(straddle, 12).empty());  // 12 % 4 == 0: KV heads replicated

  TensorCheckOptions narrow;
  narrow.d_ff = 4;
  CHECK(tensor_degree_problem(narrow, 8) == "d_ff (4) must be at least the tensor-parallel degree (8)");

  // Options no degree can split.
  TensorCheckOptions ungrouped;
  ungrouped.kv_heads = 3;
  CHECK(tensor_degree_problem(ungrouped, 1) == "heads (8) must be divisible by kv_heads (3)");
  TensorCheckOptions empty;
  empty.seq = 0;
  CHECK(tensor_degree_problem(empty, 1) ==
        "d_model, heads, kv_heads, head_dim, d_ff, seq and iterations must be positive");

  // check_tensor_layer refuses them with the same message, as std::invalid_argument (the caller adds the
  // source position and rethrows it as an InputError).
  CHECK_THROWS_AS(check_tensor_layer(options, 3), std::invalid_argument);
  CHECK_THROWS_WITH(check_tensor_layer(big, 3), "heads (32) must be divisible by the tensor-parallel degree (3)");
  CHECK_THROWS_WITH(check_tensor_layer(narrow, 8), "d_ff (4) must be at least the tensor-parallel degree (8)");
  CHECK_THROWS_AS(check_tensor_layer(empty, 1), std::invalid_argument);
}

// Negative tests: a sharded implementation with one deliberate mistake must fail the check. Reference
// magnitudes, measured on the first iteration with the defaults: the whole attention output is 0.72 of ||y||
// and the whole MLP output 0.42 (the T = 1 "skip" cases below, which drop all of it). Errors are fed back
// and grow over the iterations, so the max is at least the first.
TEST_CASE("an all-reduce that leaves out one rank fails the check") {
  const TensorCheckOptions options;
  SECTION("MLP: the last rank's partial is lost, a 1/T share of the MLP output") {
    // Disjoint d_ff slices meet independent random rows of W_down, so the partials are nearly orthogonal and
    // each carries 1/T of the MLP's energy: error[0] = 0.42 * sqrt(1/T) (the MLP is the layer's last step, so
    // nothing downstream distorts it within the first iteration). Measured 0.42, 0.30, 0.21, 0.15.
    const double whole = check_tensor_layer(options, 1, TensorFault::skip_mlp_rank).relative_error[0];
    CHECK(whole == Approx(0.42).margin(0.05));
    for (int degree : {2, 4, 8}) {
      INFO(degree << " ranks");
      const auto r = check_tensor_layer(options, degree, TensorFault::skip_mlp_rank);
      check_shape(r, options);
      CHECK(r.relative_error[0] == Approx(whole / std::sqrt(degree)).epsilon(0.1));
      CHECK(r.max_relative_error > kWrongBound);
    }
  }
  SECTION("attention: the last rank's heads are lost") {
    // The same 1/T share of the attention output, 0.72 * sqrt(1/T) -- approximately: the MLP then runs on the
    // wrong h, and heads of one KV group share V, so their outputs are correlated (dropping one of 8 heads
    // loses a little less than 1/8). Measured 0.72, 0.48, 0.34, 0.22 against 0.72, 0.51, 0.36, 0.25.
    const double whole = check_tensor_layer(options, 1, TensorFault::skip_attention_rank).relative_error[0];
    CHECK(whole == Approx(0.72).margin(0.05));
    for (int degree : {2, 4, 8}) {
      INFO(degree << " ranks");
      const auto r = check_tensor_layer(options, degree, TensorFault::skip_attention_rank);
      CHECK(r.relative_error[0] == Approx(whole / std::sqrt(degree)).epsilon(0.25));
      CHECK(r.max_relative_error > kWrongBound);
    }
  }
}

TEST_CASE("query heads reading the wrong KV head fail the check") {
  // Every rank holds the KV heads one after the right ones (mod kv_heads): with 2 KV heads every query head
  // attends with the other group's K and V, whether the KV heads are sharded (T = 2) or replicated (T = 4, 8):
  // the wrong layer is the same for every T, so the error is too (up to rounding). It replaces the attention
  // output by an unrelated one of the same size: about sqrt(2) x 0.72 = 1.0 before the MLP; measured 0.91.
  const TensorCheckOptions options;
  const double first = check_tensor_layer(options, 2, TensorFault::wrong_kv_heads).relative_error[0];
  CHECK(first == Approx(0.91).margin(0.15));
  for (int degree : {4, 8}) {
    INFO(degree << " ranks");
    const auto r = check_tensor_layer(options, degree, TensorFault::wrong_kv_heads);
    CHECK(r.relative_error[0] == Approx(first).epsilon(1e-4));
    CHECK(r.max_relative_error > kWrongBound);
  }
  // Multi-head attention: head i reads KV head i + 1 instead of its own, again at every T.
  CHECK(check_tensor_layer(mha(), 4, TensorFault::wrong_kv_heads).max_relative_error > 0.1);
}

TEST_CASE("W_o rows that do not match the rank's heads fail the check") {
  // Rank r multiplies its heads' outputs by the W_o rows of rank r + 1's heads. With one rank that is its own
  // rows (no fault at all: exactly 0). Otherwise each head's output meets another head's rows: an unrelated
  // projection of the same size, error about sqrt(2) x 0.72 = 1.0, less when the neighbour's heads share the
  // KV head (correlated outputs): measured 0.93, 0.75, 0.61 for T = 2, 4, 8.
  const TensorCheckOptions options;
  CHECK(check_tensor_layer(options, 1, TensorFault::shifted_w_o_rows).max_relative_error == 0.0);
  for (int degree : {2, 4, 8}) {
    INFO(degree << " ranks");
    const auto r = check_tensor_layer(options, degree, TensorFault::shifted_w_o_rows);
    CHECK(r.relative_error[0] > 0.3);
    CHECK(r.max_relative_error > kWrongBound);
  }
}

TEST_CASE("a d_ff slice one column short fails the check") {
  // The last rank drops column 687 of W_gate and W_up and row 687 of W_down: one of 688 nearly orthogonal
  // contributions to the MLP output is lost, 0.42 * sqrt(1/688) = 0.016 of ||y|| on average; one column over
  // 5 tokens fluctuates by about 2x (measured 0.008, the same for every T: it is always column 687). Still
  // 4000x the rounding bound, and growing to 0.03 over the 3 iterations.
  const TensorCheckOptions options;
  for (int degree : {1, 4, 8}) {
    INFO(degree << " ranks");
    const auto r = check_tensor_layer(options, degree, TensorFault::drop_ff_column);
    check_shape(r, options);
    CHECK(r.relative_error[0] == Approx(0.016).margin(0.012));
    CHECK(r.max_relative_error > kWrongBound);
    CHECK(r.max_relative_error > 1000 * kRoundingBound);
  }
}

TEST_CASE("an uneven split (plan.split weights) reassembles the layer, and a wrong uneven split does not") {
  // 8 query heads on 2 KV heads (groups of 4) over 3 ranks weighted 3,2,1: more ranks than KV heads, so the query
  // heads are split by weight: 8 x 3/6 = 4, 8 x 2/6 = 2.67, 8 x 1/6 = 1.33: floors 4, 2, 1 (7) and the left-over
  // head to the largest remainder (0.67, rank 1): 4, 3, 1. Rank 0 holds KV head 0; ranks 1 and 2 both KV head 1
  // (replicated). d_ff 688: 344, 229.33, 114.67: floors 344, 229, 114 (687), the last column to rank 2: 344, 229,
  // 115. The same rounding bound holds: only summation order changes.
  TensorCheckOptions o;
  o.split = {3, 2, 1};
  CHECK(tensor_degree_problem(o, 3).empty());  // 3 does not divide 8 heads: allowed when the split is uneven
  const TensorCheckResult r = check_tensor_layer(o, 3);
  check_shape(r, o);
  CHECK(r.max_relative_error < kRoundingBound);
  // A column dropped from the last rank's uneven slice is caught.
  CHECK(check_tensor_layer(o, 3, TensorFault::drop_ff_column).max_relative_error > kWrongBound);
  CHECK(check_tensor_layer(o, 3, TensorFault::skip_mlp_rank).max_relative_error > kWrongBound);

  // Fewer ranks than KV heads: 8 KV heads (MHA) weighted 3,1 give 6 and 2 whole heads; d_ff 516 and 172.
  TensorCheckOptions m = mha();
  m.split = {3, 1};
  CHECK(check_tensor_layer(m, 2).max_relative_error < kRoundingBound);
  CHECK(check_tensor_layer(m, 2, TensorFault::wrong_kv_heads).max_relative_error > kWrongBound);

  // A rank left without a head, and weights that do not match the ranks, are refused with the reason.
  o.split = {100, 1, 1};
  CHECK(tensor_degree_problem(o, 3) == "rank 1 would get no query head of 8");
  o.split = {1, 1};
  CHECK(tensor_degree_problem(o, 3) == "2 weights for 3 ranks");
}
