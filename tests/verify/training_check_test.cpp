// check_training_step: one training step through the decoder layer of tensor_check.hpp (defaults: d_model 64,
// 8 query heads of 8, 2 KV heads, SwiGLU d_ff 176, a batch of 6 sequences of 5 tokens, seed 30). The hand-written
// backward agrees with central finite differences, and split over T tensor-parallel ranks x D data-parallel
// replicas it gives the single machine's gradients to rounding; every deliberate mistake in the split is off by
// 0.17 to 1 -- so `shardsim verify --training` can both pass and fail.
//
// The bounds used below, derived:
//   kRoundingBound = 2e-6 (float32). A split changes no arithmetic, only summation order: the all-reduces add T
//   partial sums (dN1, dN2, a replicated KV head's gradient), the replicas cut the token sums of every weight
//   gradient into D parts, and Eigen blocks the smaller products differently. Measured against the same step in
//   double (seeds 1..5 and 30, kv_heads 2 and 8), one float32 backward is 2.8e-7 to 6.6e-7 off per tensor (u =
//   2^-24 = 6e-8 times the ~sqrt(n) random walk of the longest sums, n = 30 tokens x 176 or 64 terms); two such
//   runs are within 1.3e-6 of each other, and 2e-6 leaves a 1.5x margin over that (the measured split-vs-single
//   errors are 2.2e-7 to 5.2e-7: a 4x margin), while the mildest fault below is 0.17 off: 80000x apart.
//   kDoubleBound = 1e-14 (float64): the same walk at u = 2^-53, 1.9e-9 times smaller: one run ~1.2e-15 off, two
//   2.5e-15 apart; measured 3.7e-16 to 9.7e-16.
//   TrainingTolerance{}.finite_difference = 1e-6: (L(theta + h) - L(theta - h)) / 2h with h = 1e-6 relative is
//   off by the truncation h^2 L''' / 6 (~1e-14 relative here) plus the rounding of L, ~1e-16 |L terms| / h. The
//   rounding dominates: the measured error scales as 1/h (h = 1e-5: 1.6e-8 to 2.6e-8; 1e-6: 1.3e-7 at seed 30,
//   at most 3.2e-7 over 15 seeds; 1e-7: 1.8e-6 to 2.9e-6), so 1e-6 holds the hand gradients to within 3x of what
//   this step size can resolve; the one wrong backward below (RMSNorm's mean term dropped) is 0.15 off.

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>

#include "shardsim/verify/training_check.hpp"

using shardsim::verify::check_training_step;
using shardsim::verify::training_degree_problem;
using shardsim::verify::TrainingCheckOptions;
using shardsim::verify::TrainingCheckResult;
using shardsim::verify::TrainingFault;
using shardsim::verify::TrainingTolerance;
using shardsim::verify::within;

namespace {

constexpr double kRoundingBound = 2e-6;  // float32; derived above
constexpr double kDoubleBound = 1e-14;   // float64; derived above
constexpr double kWrongBound = 0.1;      // a wrong split must be at least this far off (50000x kRoundingBound)
constexpr double kFiniteDifferenceBound = TrainingTolerance{}.finite_difference;

const std::set<std::string> kAll = {"x", "W_q", "W_k", "W_v", "W_o", "W_gate", "W_up", "W_down", "gamma_1", "gamma_2"};
const std::set<std::string> kWeights = {"W_q", "W_k", "W_v", "W_o", "W_gate", "W_up", "W_down", "gamma_1", "gamma_2"};

// The split agrees with the single machine on every tensor, and the hand backward with finite differences.
void check_agrees(const TrainingCheckResult& r) {
  REQUIRE(r.tensors.size() == kAll.size());
  for (const auto& e : r.tensors) {
    INFO(e.tensor);
    CHECK(kAll.count(e.tensor) == 1);
    CHECK(e.float_error < kRoundingBound);
    CHECK(e.double_error < kDoubleBound);
    CHECK(e.finite_difference_error < kFiniteDifferenceBound);
  }
  CHECK(r.max_float_error < kRoundingBound);
  CHECK(r.max_double_error < kDoubleBound);
  CHECK(within(r));
}

// A fault's footprint: the tensors in `wrong` are off by more than kWrongBound (in float and in double alike:
// a wrong split is wrong at any precision), every other one still agrees to rounding, and the check fails.
void check_footprint(const TrainingCheckResult& r, const std::set<std::string>& wrong) {
  REQUIRE(r.tensors.size() == kAll.size());
  for (const auto& e : r.tensors) {
    INFO(e.tensor);
    if (wrong.count(e.tensor)) {
      CHECK(e.float_error > kWrongBound);
      CHECK(e.double_error > kWrongBound);
    } else {
      CHECK(e.float_error < kRoundingBound);
      CHECK(e.double_error < kDoubleBound);
    }
    CHECK(e.finite_difference_error < kFiniteDifferenceBound);  // a split fault leaves the single machine right
  }
  CHECK(r.max_float_error > kWrongBound);
  CHECK_FALSE(within(r));
}

double error_of(const TrainingCheckResult& r, const std::string& tensor) {
  for (const auto& e : r.tensors) {
    if (e.tensor == tensor) return e.float_error;
  }
  FAIL("no tensor " << tensor);
  return 0.0;
}

TrainingCheckOptions with_kv_heads(std::int64_t kv_heads) {
  TrainingCheckOptions o;
  o.kv_heads = kv_heads;
  return o;
}

}  // namespace

TEST_CASE("the hand-written backward agrees with central finite differences") {
  // 5 entries of each of the 10 tensors, 100 forward passes in double per run. Measured at seed 30: 6.6e-9
  // (gamma_1) to 1.3e-7 (W_q) with 2 KV heads, at most 2.8e-7 with 8.
  for (const TrainingCheckOptions& options : {TrainingCheckOptions{}, with_kv_heads(8)}) {
    INFO("kv_heads " << options.kv_heads);
    const auto r = check_training_step(options, 1, 1);
    REQUIRE(r.tensors.size() == kAll.size());
    for (const auto& e : r.tensors) {
      INFO(e.tensor);
      CHECK(e.finite_difference_error < kFiniteDifferenceBound);
      CHECK(e.finite_difference_error > 0.0);  // sampled: rounding makes some difference
    }
    CHECK(r.max_finite_difference_error < kFiniteDifferenceBound);
  }
  TrainingCheckOptions none;
  none.finite_difference_samples = 0;
  CHECK(check_training_step(none, 2, 2).max_finite_difference_error == 0.0);
}

TEST_CASE("one rank and one replica reproduce the single machine's gradients bit for bit") {
  // T = D = 1: rank 0 holds copies of every weight, its replica copies of all the rows of x and dy; the forward is
  // tensor_check's (exact at T = 1), every all-reduce is a copy of its one partial (dN1, dN2, the replicas' sum,
  // the KV heads' sum), and the blocks' backward is the same code on equal operands: every float is identical.
  for (const TrainingCheckOptions& options : {TrainingCheckOptions{}, with_kv_heads(8)}) {
    INFO("kv_heads " << options.kv_heads);
    const auto r = check_training_step(options, 1, 1);
    for (const auto& e : r.tensors) {
      INFO(e.tensor);
      CHECK(e.float_error == 0.0);
      CHECK(e.double_error == 0.0);
    }
    CHECK(r.max_float_error == 0.0);
    CHECK(r.max_double_error == 0.0);
  }
}

TEST_CASE("tensor parallelism over 2, 4 and 8 ranks gives the single machine's gradients") {
  SECTION("2 KV heads: sharded at T = 2, each replicated on 2 ranks at T = 4 and on 4 at T = 8") {
    // At T = 4 and 8 a KV head's gradient is the sum of its ranks' partials (the all-reduce among them).
    for (int degree : {2, 4, 8}) {
      INFO(degree << " ranks");
      check_agrees(check_training_step(TrainingCheckOptions{}, degree, 1));
    }
  }
  SECTION("8 KV heads (multi-head attention) and 4: sharded, one or several per rank, replicated on 2 at T = 8") {
    for (std::int64_t kv_heads : {8, 4}) {
      for (int degree : {2, 4, 8}) {
        INFO(kv_heads << " KV heads, " << degree << " ranks");
        check_agrees(check_training_step(with_kv_heads(kv_heads), degree, 1));
      }
    }
  }
  SECTION("uneven d_ff: 174 over 4 ranks (44, 44, 43, 43), 173 over 8 (5 x 22 + 3 x 21)") {
    TrainingCheckOptions options;
    options.d_ff = 174;
    check_agrees(check_training_step(options, 4, 1));
    options.d_ff = 173;
    check_agrees(check_training_step(options, 8, 1));
  }
}

TEST_CASE("data parallelism over 2, 3, 4 and 6 replicas gives the whole batch's gradients") {
  // 6 sequences: 3 + 3, 2 + 2 + 2, 2 + 2 + 1 + 1 (uneven), one each. dX is each replica's own rows; everything
  // else is the sum over the replicas.
  for (int replicas : {2, 3, 4, 6}) {
    INFO(replicas << " replicas");
    check_agrees(check_training_step(TrainingCheckOptions{}, 1, replicas));
  }
}

TEST_CASE("data x tensor parallelism gives the single machine's gradients") {
  // Every replica split over T ranks; the gradient all-reduce runs shard by shard (rank r of every replica), then
  // the replicated KV heads are summed.
  for (const auto& [replicas, degree] : {std::pair{2, 2}, std::pair{3, 4}, std::pair{2, 8}, std::pair{6, 8}}) {
    INFO(replicas << " replicas x " << degree << " ranks");
    check_agrees(check_training_step(TrainingCheckOptions{}, degree, replicas));
  }
  check_agrees(check_training_step(with_kv_heads(8), 4, 3));
}

TEST_CASE("the training check is deterministic and depends on the seed") {
  const auto a = check_training_step(TrainingCheckOptions{}, 4, 2);
  const auto b = check_training_step(TrainingCheckOptions{}, 4, 2);
  CHECK(a.loss == b.loss);
  CHECK(a.max_float_error == b.max_float_error);
  CHECK(a.max_finite_difference_error == b.max_finite_difference_error);

  // Golden value pinning the generator (the weights as check_tensor_layer draws them, then x and G): the loss of
  // the batch in double. Rounding (another compiler, libm's last ulp) moves it by ~1e-16 x its 1920 terms of
  // size ~1; another draw gives a sum of 1920 terms y G of rms ~1.3, typically ~60 away.
  CHECK(a.loss == Approx(-49.357972426062716).margin(1e-9));
  TrainingCheckOptions other;
  other.seed = 31;
  CHECK(check_training_step(other, 4, 2).loss != Approx(a.loss).margin(1e-3));
}

TEST_CASE("invalid training degrees are rejected with the constraint they break") {
  const TrainingCheckOptions options;  // heads 8, kv_heads 2, d_ff 176, batch 6
  for (int degree : {1, 2, 4, 8}) {
    for (int replicas : {1, 2, 3, 4, 5, 6}) CHECK(training_degree_problem(options, degree, replicas).empty());
  }
  // Tensor-parallel degrees: tensor_degree_problem's messages.
  CHECK(training_degree_problem(options, 3, 1) == "heads (8) must be divisible by the tensor-parallel degree (3)");
  CHECK(training_degree_problem(options, 0, 1) == "the tensor-parallel degree (0) must be at least 1");
  TrainingCheckOptions narrow;
  narrow.d_ff = 4;
  CHECK(training_degree_problem(narrow, 8, 1) == "d_ff (4) must be at least the tensor-parallel degree (8)");
  // Data-parallel degrees: every replica needs a sequence.
  CHECK(training_degree_problem(options, 2, 0) == "the data-parallel degree (0) must be at least 1");
  CHECK(training_degree_problem(options, 2, -1) == "the data-parallel degree (-1) must be at least 1");
  CHECK(training_degree_problem(options, 2, 7) == "batch (6) must be at least the data-parallel degree (7)");
  // Options no degree can run.
  TrainingCheckOptions empty;
  empty.batch = 0;
  const std::string sizes =
      "d_model, heads, kv_heads, head_dim, d_ff, seq and batch must be positive, finite_difference_samples not "
      "negative";
  CHECK(training_degree_problem(empty, 1, 1) == sizes);
  TrainingCheckOptions negative;
  negative.finite_difference_samples = -1;
  CHECK(training_degree_problem(negative, 1, 1) == sizes);
  TrainingCheckOptions ungrouped;
  ungrouped.kv_heads = 3;
  CHECK(training_degree_problem(ungrouped, 1, 1) == "heads (8) must be divisible by kv_heads (3)");

  CHECK_THROWS_AS(check_training_step(options, 3, 1), std::invalid_argument);
  CHECK_THROWS_WITH(check_training_step(options, 2, 7), "batch (6) must be at least the data-parallel degree (7)");
}

// Negative tests: a split with one deliberate mistake must fail the check, on the tensors the mistake reaches and
// on no other. Dropping or keeping one of n partial sums that are nearly orthogonal (different columns meeting
// independent random weights) loses a share 1 - 1/n of their energy, so the errors below are about sqrt(1/n)
// (one of n left out) or sqrt(1 - 1/n) (only one of n kept), less or more by the partials' correlation.

TEST_CASE("a backward all-reduce of dN1 that leaves out a rank fails the check on dX and gamma_1") {
  // dN1 reaches only the first norm's backward: gamma_1 and the norm's share of dX (the residual's share, dH,
  // is right). The weights' gradients come from dQ, dK, dV, upstream of dN1: untouched. At T = 1 dN1 is lost
  // whole and gamma_1's gradient is exactly 0: error 1 (to the last bits: Eigen may sum the squares of -g in
  // another order than those of g). Measured gamma_1 1, 0.68, 0.58, 0.35 and dX 0.71, 0.50, 0.40, 0.26 at
  // T = 1, 2, 4, 8.
  const auto whole = check_training_step(TrainingCheckOptions{}, 1, 1, TrainingFault::skip_attention_grad_rank);
  CHECK(error_of(whole, "gamma_1") == Approx(1.0).epsilon(1e-12));
  for (int degree : {1, 2, 4, 8}) {
    INFO(degree << " ranks");
    check_footprint(check_training_step(TrainingCheckOptions{}, degree, 1, TrainingFault::skip_attention_grad_rank),
                    {"x", "gamma_1"});
  }
}

TEST_CASE("a backward all-reduce of dN2 that leaves out a rank fails the check upstream of the MLP") {
  // dN2 feeds gamma_2 and dH, and dH everything before it: all but the MLP's own weights (whose gradients come
  // from dy, replicated). Measured gamma_2 1, 0.79, 0.51, 0.33 and W_k 0.76, 0.52, 0.41, 0.22 at T = 1..8.
  for (int degree : {1, 2, 4, 8}) {
    INFO(degree << " ranks");
    check_footprint(check_training_step(TrainingCheckOptions{}, degree, 1, TrainingFault::skip_mlp_grad_rank),
                    {"x", "W_q", "W_k", "W_v", "W_o", "gamma_1", "gamma_2"});
  }
}

TEST_CASE("a replicated KV head's gradient taken from one of its ranks fails the check") {
  // Only when a KV head is replicated (T > kv_heads): keeping 1 of its n ranks' partials, about sqrt(1 - 1/n)
  // off. Measured: 2 KV heads at T = 4 (n = 2) 0.79, at T = 8 (n = 4) 0.92; 4 KV heads at T = 8 (n = 2) 0.69.
  check_footprint(check_training_step(TrainingCheckOptions{}, 4, 1, TrainingFault::unsummed_kv_heads), {"W_k", "W_v"});
  check_footprint(check_training_step(TrainingCheckOptions{}, 8, 2, TrainingFault::unsummed_kv_heads), {"W_k", "W_v"});
  check_footprint(check_training_step(with_kv_heads(4), 8, 1, TrainingFault::unsummed_kv_heads), {"W_k", "W_v"});
  // KV heads sharded (each on one rank): nothing to sum, no harm done.
  check_agrees(check_training_step(TrainingCheckOptions{}, 2, 1, TrainingFault::unsummed_kv_heads));
  check_agrees(check_training_step(with_kv_heads(8), 8, 2, TrainingFault::unsummed_kv_heads));
}

TEST_CASE("norm gains' gradients from a rank's partial dN instead of the all-reduced one fail the check") {
  // Rank 0's partial is 1/T of the columns' contributions: about sqrt(1 - 1/T) off; measured 0.68 to 0.99. At
  // T = 1 the partial is the whole: no harm.
  for (int degree : {2, 4, 8}) {
    INFO(degree << " ranks");
    check_footprint(check_training_step(TrainingCheckOptions{}, degree, 1, TrainingFault::local_norm_gain),
                    {"gamma_1", "gamma_2"});
  }
  check_agrees(check_training_step(TrainingCheckOptions{}, 1, 1, TrainingFault::local_norm_gain));
}

TEST_CASE("a replica left out of the gradient all-reduce fails the check") {
  // The last replica's sequences are missing from every weight's gradient: about sqrt(1/D) off (measured 0.60 to
  // 0.74 at D = 2, 0.52 to 0.62 at D = 3); at D = 1 the sum is empty, every weight gradient 0 and its error 1.
  // dX is never all-reduced over replicas (each keeps its own rows): untouched, exactly 0 at T = D = 1.
  const auto one = check_training_step(TrainingCheckOptions{}, 1, 1, TrainingFault::drop_replica);
  for (const auto& e : one.tensors) {
    INFO(e.tensor);
    if (e.tensor == "x") {
      CHECK(e.float_error == 0.0);
    } else {
      CHECK(e.float_error == Approx(1.0).epsilon(1e-12));
    }
  }
  for (const auto& [replicas, degree] : {std::pair{2, 1}, std::pair{3, 1}, std::pair{3, 4}}) {
    INFO(replicas << " replicas x " << degree << " ranks");
    check_footprint(check_training_step(TrainingCheckOptions{}, degree, replicas, TrainingFault::drop_replica),
                    kWeights);
  }
}

TEST_CASE("averaging the replicas' gradients instead of summing them fails the check") {
  // L sums over the batch, so its gradient is the sum of the replicas' (averaging is right only for a loss that
  // is itself a mean, and then only with equal shares): every weight gradient is the right one over D, an error
  // of exactly 1 - 1/D up to rounding. D = 1: dividing by 1 changes nothing.
  for (int replicas : {2, 3, 4}) {
    INFO(replicas << " replicas");
    const auto r = check_training_step(TrainingCheckOptions{}, 2, replicas, TrainingFault::average_replicas);
    check_footprint(r, kWeights);
    for (const std::string& tensor : kWeights) {
      INFO(tensor);
      CHECK(error_of(r, tensor) == Approx(1.0 - 1.0 / replicas).margin(kRoundingBound));
    }
  }
  check_agrees(check_training_step(TrainingCheckOptions{}, 2, 1, TrainingFault::average_replicas));
}

TEST_CASE("a wrong RMSNorm backward passes the split comparison and fails the finite differences") {
  // Dropping the mean term (as if r did not depend on v) makes the single machine and every split wrong alike:
  // the split-vs-single errors stay at rounding, only the finite differences see it -- on x and on the
  // attention's weights and gamma_1 (upstream of a norm's input gradient), not on the MLP's weights or gamma_2
  // (downstream of both norms' input gradients). Measured 0.066 (W_o) to 0.15 (gamma_1).
  const std::set<std::string> upstream = {"x", "W_q", "W_k", "W_v", "W_o", "gamma_1"};
  for (const auto& [replicas, degree] : {std::pair{1, 1}, std::pair{2, 4}}) {
    INFO(replicas << " replicas x " << degree << " ranks");
    const auto r = check_training_step(TrainingCheckOptions{}, degree, replicas, TrainingFault::norm_backward_no_mean);
    for (const auto& e : r.tensors) {
      INFO(e.tensor);
      CHECK(e.float_error < kRoundingBound);
      CHECK(e.double_error < kDoubleBound);
      if (upstream.count(e.tensor)) {
        CHECK(e.finite_difference_error > 0.05);
      } else {
        CHECK(e.finite_difference_error < kFiniteDifferenceBound);
      }
    }
    CHECK(r.max_finite_difference_error > 0.1);
    CHECK_FALSE(within(r));
  }
}
