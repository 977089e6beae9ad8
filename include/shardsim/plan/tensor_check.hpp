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

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/plan/partition.hpp"

namespace shardsim::plan {

struct TensorCheckOptions {
  std::int64_t d_model = 256;
  std::int64_t heads = 8;     // query heads
  std::int64_t kv_heads = 2;  // key/value heads: heads % kv_heads == 0 (== heads: multi-head attention)
  std::int64_t head_dim = 32;
  std::int64_t d_ff = 688;    // SwiGLU hidden width
  std::int64_t seq = 5;       // tokens, attended causally
  int iterations = 3;         // layer applied this many times, output fed back as input
  std::uint64_t seed = 30;
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
// Valid: degree >= 1, heads % degree == 0, kv_heads % degree == 0 or degree % kv_heads == 0, d_ff >= degree.
std::string tensor_degree_problem(const TensorCheckOptions& options, int degree);

// Applies the layer `iterations` times (output fed back), unsharded and sharded over `degree` ranks, and
// compares them after every iteration. Throws std::invalid_argument with tensor_degree_problem's message when
// that is not empty (the caller turns it into an InputError with its source position).
TensorCheckResult check_tensor_layer(const TensorCheckOptions& options, int degree,
                                     TensorFault fault = TensorFault::none);

class NormalStream;  // src/plan/normal_stream.hpp

// The layer itself, unsharded and sharded, for the plan module's numerical checks: check_tensor_layer above and
// check_training_step (training_check.hpp, which adds the backward pass) run the very same forward code. Not a
// user API. Templates over the scalar (float for the checks, double for the training check's reference runs),
// defined in tensor_check.cpp and instantiated there for float and double only.
namespace tensor_layer {

using Index = Eigen::Index;
template <class S>
using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using RowVector = Eigen::Matrix<S, 1, Eigen::Dynamic>;

// An activation matrix holds whole sequences of `seq` tokens, one row per token: sequence b is rows
// [b * seq, (b + 1) * seq), attended causally on its own (check_tensor_layer: one sequence).
struct Dims {
  Index d_model, heads, kv_heads, head_dim, d_ff, seq;
  Index group() const { return heads / kv_heads; }  // query heads per KV head
};

template <class S>
struct Weights {
  Matrix<S> w_q, w_k, w_v, w_o;  // d_model x heads*hd, d_model x kv*hd (twice), heads*hd x d_model
  Matrix<S> w_gate, w_up;        // d_model x d_ff
  Matrix<S> w_down;              // d_ff x d_model
  RowVector<S> gamma_1, gamma_2;  // d_model

  template <class T>
  Weights<T> cast() const {
    return {w_q.template cast<T>(),    w_k.template cast<T>(),     w_v.template cast<T>(),
            w_o.template cast<T>(),    w_gate.template cast<T>(),  w_up.template cast<T>(),
            w_down.template cast<T>(), gamma_1.template cast<T>(), gamma_2.template cast<T>()};
  }
};

// rows x cols of offset + N(0, 1) * scale, drawn row-major. In double: a float run rounds these values once,
// exactly as drawing them in float would.
Matrix<double> random_matrix(NormalStream& normals, Index rows, Index cols, double scale, double offset = 0.0);

// The weights as the header above draws them: W_q, W_k, W_v, W_o, W_gate, W_up, W_down ~ N(0, 1) / sqrt(fan_in),
// gamma_1, gamma_2 ~ 1 + N(0, 1) / 10, in that order (the caller draws x and anything else after them).
Weights<double> draw_weights(const Dims& d, NormalStream& normals);

template <class S>
inline constexpr S kNormEpsilon = static_cast<S>(1e-5);

// Row-wise RMSNorm: row t times 1 / sqrt(mean(x_t^2) + kNormEpsilon), times gamma.
template <class S>
Matrix<S> rms_norm(const Matrix<S>& x, const RowVector<S>& gamma);

// softmax(q k^T / sqrt(head_dim)) with a causal mask (token t sees tokens 0..t; the masked entries are 0), one
// head of one sequence: q and k are seq x head_dim.
template <class S>
Matrix<S> attention_probabilities(const Matrix<S>& q, const Matrix<S>& k);

// attention_probabilities(q, k) v. Matrix parameters, not blocks: callers copy their blocks into fresh matrices,
// so that every path multiplies operands of the same alignment and strides (Eigen's vectorized loops may peel
// differently for differently aligned data, which would change the summation order).
template <class S>
Matrix<S> attention_head(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v);

// silu(gate) * up, elementwise.
template <class S>
Matrix<S> swiglu(const Matrix<S>& gate, const Matrix<S>& up);

// The all-reduce (sum) as ((p_0 + p_1) + p_2) + ...; `skip_last` leaves out the last partial (a fault).
template <class S>
Matrix<S> all_reduce(const std::vector<Matrix<S>>& partials, bool skip_last = false);

// ||actual - reference||_F / ||reference||_F in double (0 when both are 0; infinite when only the reference is).
template <class S>
double relative_error(const Matrix<S>& actual, const Matrix<S>& reference);

// What rank r of a `degree`-way split holds (the header's split): query heads [q_begin, q_begin + q_count),
// KV heads [kv_begin, kv_begin + kv_count) (a replicated KV head appears in several ranks' ranges), and its
// slice of d_ff. Requires tensor_degree_problem to be empty.
struct RankLayout {
  Index q_begin = 0, q_count = 0;
  Index kv_begin = 0, kv_count = 0;
  Range ff;
};
std::vector<RankLayout> rank_layouts(const Dims& d, int degree);

// Rank r's own copies of its weight slices.
template <class S>
struct RankShard {
  RankLayout layout;
  Matrix<S> w_q, w_k, w_v, w_o;    // d_model x q_count*hd, d_model x kv_count*hd (twice), q_count*hd x d_model
  Matrix<S> w_gate, w_up, w_down;  // d_model x f, d_model x f, f x d_model (f = layout.ff.size)
};
template <class S>
RankShard<S> take_shard(const Weights<S>& w, const Dims& d, const RankLayout& layout);

// The unsharded layer, with the activations a backward pass needs: N1 = RMSNorm_1(x), Q, K, V, O (the heads'
// outputs, before W_o), H, N2 = RMSNorm_2(H), the SwiGLU's gate = N2 W_gate, up = N2 W_up, A = silu(gate) * up,
// and the output y.
template <class S>
struct Activations {
  Matrix<S> n1, q, k, v, o, h, n2, gate, up, a, y;
};
template <class S>
Activations<S> single_layer(const Weights<S>& w, const Dims& d, const Matrix<S>& x);

// The sharded layer: the replicated activations (computed once, standing for every rank's identical copy) and
// each rank's own (its heads' Q, O, its KV heads' K, V, its d_ff slice's gate, up, A).
template <class S>
struct RankActivations {
  Matrix<S> q, k, v, o, gate, up, a;
};
template <class S>
struct ShardedActivations {
  Matrix<S> n1, h, n2, y;
  std::vector<RankActivations<S>> ranks;
};
// Only skip_attention_rank and skip_mlp_rank act here; the other faults are in the shards the caller passes.
template <class S>
ShardedActivations<S> sharded_layer(const std::vector<RankShard<S>>& shards, const Weights<S>& w, const Dims& d,
                                    const Matrix<S>& x, TensorFault fault = TensorFault::none);

}  // namespace tensor_layer
}  // namespace shardsim::plan
