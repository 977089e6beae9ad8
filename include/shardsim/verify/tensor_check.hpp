#pragma once
// Numerical check of Megatron-style tensor parallelism (Shoeybi et al. 2019) on one pre-norm decoder layer
// (what `shardsim verify --plan tensor` runs): the layer computed unsharded and split over T ranks must agree.
// Unitless: sizes are element counts; computation is in float (float32), errors in double.
//
// The layer, on x (seq x d_model, one row per token), with RMSNorm(v) = v / sqrt(mean(v^2) + 1e-5) * gamma:
//   h = x + Attn(RMSNorm_1(x));  y = h + MLP(RMSNorm_2(h))
//   Attn(n): Q = n W_q (heads * head_dim columns), K = n W_k, V = n W_v (kv_heads * head_dim columns each);
//            head i uses KV head i / (heads / kv_heads) (grouped-query attention; kv_heads == heads is MHA);
//            O_i = softmax(Q_i K_g^T / sqrt(head_dim), causal: token t sees tokens 0..t) V_g;
//            Attn = [O_0 ... O_{heads-1}] W_o.  Rotary embeddings are omitted: they rotate Q and K within each
//            head, so they commute with a split by heads and would not change what is checked.
//   MLP(n) (SwiGLU): (silu(n W_gate) * (n W_up)) W_down, d_ff hidden; silu(z) = z / (1 + exp(-z)).
//
// The split over T ranks (rank r):
//   - W_q column-parallel by heads: rank r holds query heads [r * heads / T, (r + 1) * heads / T).
//   - W_k, W_v column-parallel by KV heads: rank r holds exactly the KV heads its query heads use. When
//     kv_heads % T == 0 that is kv_heads / T heads, each on one rank; when T % kv_heads == 0 (fewer KV heads
//     than ranks) it is one KV head, replicated on the T / kv_heads ranks whose query heads share it.
//   - W_o row-parallel: rank r holds the rows of its query heads' outputs and computes a partial d_model
//     output; an all-reduce (sum) joins the partials.
//   - W_gate, W_up column-parallel and W_down row-parallel by d_ff: rank r holds the r-th part of
//     balanced_split(d_ff, T) (even when d_ff % T == 0; else the first d_ff % T ranks hold one more column --
//     the check covers uneven splits too); an all-reduce joins the partial outputs.
//   - gamma_1, gamma_2 (the norms) and the residual additions are replicated: every rank does them on the
//     full x (decode activations are replicated between the two all-reduces, as in Megatron-LM).
//   - Uneven (TensorCheckOptions::split, the tensor plan's plan.split): the ranks hold what
//     plan::uneven_tensor_split gives them (tensor_split.hpp): whole KV heads by weight with their query heads
//     (or, with more ranks than KV heads, query heads by weight and the KV heads they use), d_ff columns by weight
//     (largest remainder). The same check then proves that the uneven row and column blocks reassemble the layer.
//   The all-reduce is modelled as the sum of the ranks' partials in rank order, ((p_0 + p_1) + p_2) + ...,
//   which every rank would get bitwise alike from a deterministic all-reduce; the collective's own
//   algorithm (ring, tree) is the collective module's business, only its result matters here.
// With T = 1 the sharded layer performs the same float operations on the same operands as the unsharded one,
// so the error is exactly 0. For T > 1 the two differ only by the summation order of the W_o and W_down
// reductions (and of Eigen's blocking), i.e. by float32 rounding; a wrong split gives an O(0.01..1) error.
//
// Inputs: weights ~ N(0, 1) / sqrt(fan_in) (fan_in = rows of the matrix), gamma ~ 1 + N(0, 1) / 10,
// x ~ N(0, 1); normals from std::mt19937_64 through Box-Muller (as seed_check), drawn in the order
// W_q, W_k, W_v, W_o, W_gate, W_up, W_down, gamma_1, gamma_2, x, each row-major.

#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/plan/partition.hpp"

namespace shardsim::verify {

using plan::balanced_split;
using plan::Range;

struct TensorCheckOptions {
  std::int64_t d_model = 256;
  std::int64_t heads = 8;     // query heads
  std::int64_t kv_heads = 2;  // key/value heads: heads % kv_heads == 0 (== heads: multi-head attention)
  std::int64_t head_dim = 32;
  std::int64_t d_ff = 688;    // SwiGLU hidden width
  std::int64_t seq = 5;       // tokens, attended causally
  int iterations = 3;         // layer applied this many times, output fed back as input
  std::uint64_t seed = 30;
  std::vector<double> split;  // one weight per rank for an uneven split (plan.split); empty: even
};

struct TensorCheckResult {
  double max_relative_error = 0.0;     // max over iterations of relative_error
  std::vector<double> relative_error;  // per iteration: ||y_sharded - y_single||_F / ||y_single||_F
  double single_sum = 0.0;             // sum of all elements of the final unsharded output (in double)
  double sharded_sum = 0.0;            // the same for the sharded chain
};

// Test-only hook: a deliberate mistake in the sharded layer, to prove the check can fail. Never set by users.
enum class TensorFault {
  none,
  skip_attention_rank,  // the attention all-reduce leaves out the last rank's partial
  skip_mlp_rank,        // the MLP all-reduce leaves out the last rank's partial
  wrong_kv_heads,       // every rank holds the KV heads one after the right ones (mod kv_heads)
  shifted_w_o_rows,     // rank r holds the W_o rows of rank (r + 1) % T's heads
  drop_ff_column,       // the last rank's d_ff slice misses its last column (in W_gate, W_up and W_down)
};

// Empty when `degree` is a valid tensor-parallel degree for these dims; else the reason, naming the
// constraint, e.g. "heads (32) must be divisible by the tensor-parallel degree (3)". Options that are invalid
// whatever the degree (non-positive sizes, heads % kv_heads != 0) are reported the same way.
// Valid: degree >= 1, heads % degree == 0, kv_heads % degree == 0 or degree % kv_heads == 0, d_ff >= degree; with
// a split, one weight per rank and a share of heads and columns for every rank (plan::uneven_tensor_split).
std::string tensor_degree_problem(const TensorCheckOptions& options, int degree);

// Applies the layer `iterations` times (output fed back), unsharded and sharded over `degree` ranks, and
// compares them after every iteration. Throws std::invalid_argument with tensor_degree_problem's message when
// that is not empty (the caller turns it into an InputError with its source position).
TensorCheckResult check_tensor_layer(const TensorCheckOptions& options, int degree,
                                     TensorFault fault = TensorFault::none);

}  // namespace shardsim::verify
