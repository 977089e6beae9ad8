#pragma once
// Internal to the plan module (not installed, like normal_stream.hpp): the decoder layer of tensor_check.hpp,
// unsharded and sharded, shared by the forward check (tensor_check.cpp) and the training check
// (training_check.cpp), so that both run the very same forward code. Kept out of the public headers because it
// needs Eigen.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "shardsim/plan/partition.hpp"
#include "shardsim/verify/tensor_check.hpp"

namespace shardsim::verify {

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
// Even, or by `weights` (one per rank) as plan::uneven_tensor_split splits an uneven tensor group.
std::vector<RankLayout> rank_layouts(const Dims& d, int degree, const std::vector<double>& weights = {});

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

}  // namespace shardsim::verify
