#pragma once
// Numerical check of the training plans' gradients (what `shardsim verify --training` runs): one training step
// through the decoder layer of tensor_check.hpp, its backward pass computed on one machine and split over T
// tensor-parallel ranks x D data-parallel replicas, must give the same gradients. Unitless: sizes are element
// counts; every run is done twice, in float (float32, like the forward check) and in double; errors in double.
//
// The step. A batch of B sequences of `seq` tokens, stacked as X (B*seq x d_model; sequence b is rows
// [b*seq, (b+1)*seq), attended causally on its own), goes through the layer (y = layer(X), tensor_check.hpp), and
//   L = sum_ij y_ij G_ij   for a fixed random G (B*seq x d_model), so dL/dy = G
// (whatever the loss, the layer's backward only sees some dL/dy; a random one exercises every direction).
// The backward by hand (the chain rule in Eigen, no autodiff), dV standing for dL/dV, `*` the matrix product and
// `.*` the elementwise one, names as in tensor_check.hpp (N1 = RMSNorm_1(X), N2 = RMSNorm_2(H), O the heads'
// outputs before W_o, Z = N2 W_gate, U = N2 W_up, A = silu(Z) .* U):
//   MLP:      dW_down = A^T dy;  dA = dy W_down^T;  dZ = dA .* U .* silu'(Z);  dU = dA .* silu(Z);
//             dW_gate = N2^T dZ;  dW_up = N2^T dU;  dN2 = dZ W_gate^T + dU W_up^T,
//             with silu'(z) = s (1 + z (1 - s)), s = 1 / (1 + exp(-z)).
//   RMSNorm:  per row v, r = 1 / sqrt(mean(v^2) + 1e-5), v^ = r v, n = v^ .* gamma:
//             dgamma = sum over rows of v^ .* dn;  dv = r (dv^ - v^ mean(dv^ .* v^)) with dv^ = dn .* gamma
//             (the second term because r depends on v).
//   dH = dy + RMSNorm_2 backward of dN2                       (the residual passes dy through)
//   Attention: dW_o = O^T dH;  dO = dH W_o^T;  per sequence and query head i of KV head g, with P_i its causal
//             softmax and c = 1 / sqrt(head_dim):  dP = dO_i V_g^T;  dS = P_i .* (dP - rowsum(dP .* P_i));
//             dQ_i = c dS K_g;  dK_g += c dS^T Q_i;  dV_g += P_i^T dO_i   (a KV head sums over its group's heads);
//             dW_q = N1^T dQ;  dW_k = N1^T dK;  dW_v = N1^T dV;  dN1 = dQ W_q^T + dK W_k^T + dV W_v^T.
//   dX = dH + RMSNorm_1 backward of dN1
// A weight gradient is one product over all B*seq rows, i.e. the sum of every token's contribution.
//
// It is checked three ways, each tensor (dX, the seven W's, both gammas) on its own:
//  1. Finite differences, in double, on the unsharded layer: for a deterministic sample of entries theta of each
//     tensor (finite_difference_samples of them, evenly spread over its storage), (L(theta + h) - L(theta - h)) /
//     2h with h = 1e-6 max(|theta|, rms of the tensor), against the hand gradient g of that entry:
//     |fd - g| / max(|g|, rms of that gradient tensor). Independent of the backward code: this proves the
//     unsharded gradients themselves right (the split ones are then held to them).
//  2. Tensor parallelism over T ranks, sharded as tensor_check.hpp shards the forward; rank r computes the
//     gradients of its own weight shards from its own activations. Megatron's conjugate pair: the forward's
//     all-reduce after the row-parallel W_o and W_down (g) is the identity backward -- dy and dH are replicated,
//     every rank uses them whole -- and the forward's identity before the column-parallel W_q, W_k, W_v and
//     W_gate, W_up (f) is an all-reduce backward: rank r's dN1 (dN2) is the partial sum over its columns only,
//     and an all-reduce (sum, rank order) joins the partials before the norm's backward. Every rank then does
//     the norms' backward alike (replicated), so gamma's gradient comes from the all-reduced dN. A KV head
//     replicated on several ranks (T > kv_heads) gets a partial gradient on each, from that rank's query heads
//     only: its gradient is their sum, an all-reduce among those T / kv_heads ranks (which also keeps the
//     copies equal after the optimizer step).
//  3. Data parallelism over D replicas: replica e holds sequences balanced_split(B, D)[e] and runs the whole
//     step on them (itself split over T ranks: D x T); the weight and gamma gradients are summed over replicas
//     in replica order (the gradient all-reduce, shard by shard); dX stays with the replica owning the rows.
// The split gradients (shards assembled into full matrices, dX rows stacked) are compared with the single
// machine's whole-batch gradients: ||g_split - g_single||_F / ||g_single||_F per tensor. With T = D = 1 both
// do the same float operations on the same operands: exactly 0. Otherwise they differ only by summation order
// (the all-reduces, and the token sums cut by replica): float32 rounding, ~1e-7 here, and ~1e-16 in double,
// while a wrong split is O(1e-2..1) off.
//
// Inputs, from one seeded stream (normal_stream.hpp): the weights exactly as check_tensor_layer draws them (same
// seed and sizes: same weights), then X (B*seq x d_model) and G (B*seq x d_model) ~ N(0, 1), row-major.

#include <cstdint>
#include <string>
#include <vector>

namespace shardsim::verify {

// Small by default: the finite differences cost two forward passes per sampled entry.
struct TrainingCheckOptions {
  std::int64_t d_model = 64;
  std::int64_t heads = 8;     // query heads
  std::int64_t kv_heads = 2;  // heads % kv_heads == 0
  std::int64_t head_dim = 8;
  std::int64_t d_ff = 176;    // SwiGLU hidden width (176 = 8 x 22)
  std::int64_t seq = 5;       // tokens per sequence
  std::int64_t batch = 6;     // sequences (what data parallelism splits)
  int finite_difference_samples = 5;  // entries per tensor; 0 skips the finite differences
  std::uint64_t seed = 30;
};

// One tensor's gradient. The relative errors are ||split - single||_F / ||single||_F; the finite-difference
// error is the largest |fd - g| / max(|g|, rms(gradient)) over its sampled entries (0 when none are sampled).
struct GradientError {
  std::string tensor;  // "x", "W_q", "W_k", "W_v", "W_o", "W_gate", "W_up", "W_down", "gamma_1", "gamma_2"
  double float_error = 0.0;
  double double_error = 0.0;
  double finite_difference_error = 0.0;
};

struct TrainingCheckResult {
  std::vector<GradientError> tensors;  // in the order of GradientError::tensor
  double max_float_error = 0.0;
  double max_double_error = 0.0;
  double max_finite_difference_error = 0.0;
  double loss = 0.0;  // L of the whole batch on the single machine, in double
};

// The bounds a result must stay below (`shardsim verify --training`; --tolerance sets float32). Measured
// (tests/plan/training_check_test.cpp): float32 summation-order noise ~5e-7 at most (1e-4 is the forward
// check's tolerance), double's ~1e-15, and central differences with h = 1e-6 relative at most 3e-7 off, their
// error being the rounding of L, ~1e-16 |L terms| / h (the truncation, ~h^2, is far smaller).
struct TrainingTolerance {
  double float32 = 1e-4;
  double float64 = 1e-10;
  double finite_difference = 1e-6;
};

// Every error below its bound (a NaN fails).
bool within(const TrainingCheckResult& result, const TrainingTolerance& tolerance = {});

// Test-only hook: a deliberate mistake, to prove the check can fail. Never set by users.
enum class TrainingFault {
  none,
  skip_attention_grad_rank,  // the backward all-reduce of dN1 leaves out the last rank's partial
  skip_mlp_grad_rank,        // the backward all-reduce of dN2 leaves out the last rank's partial
  unsummed_kv_heads,         // a replicated KV head's gradient is its first rank's partial, not the sum
  local_norm_gain,           // gamma's gradients come from rank 0's partial dN, not the all-reduced one
  drop_replica,              // the gradient all-reduce leaves out the last replica
  average_replicas,          // the gradient all-reduce averages over replicas instead of summing (L is a sum)
  norm_backward_no_mean,     // every RMSNorm backward drops its mean term: split and single agree, the finite
                             // differences do not (what the comparison of splits alone could never catch)
};

// Empty when T tensor-parallel ranks x D data-parallel replicas can run the step; else the reason: a size that
// is not positive (or negative finite_difference_samples), tensor_degree_problem's message for T, or
// "the data-parallel degree (0) must be at least 1", "batch (6) must be at least the data-parallel degree (7)"
// (every replica needs a sequence).
std::string training_degree_problem(const TrainingCheckOptions& options, int tensor_degree, int replicas);

// Runs the step in float and in double, single machine and split, plus the finite differences. Throws
// std::invalid_argument with training_degree_problem's message when that is not empty.
TrainingCheckResult check_training_step(const TrainingCheckOptions& options, int tensor_degree, int replicas,
                                        TrainingFault fault = TrainingFault::none);

}  // namespace shardsim::verify
