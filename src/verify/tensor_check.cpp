#include "shardsim/verify/tensor_check.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <utility>

#include "decoder_layer.hpp"
#include "layer_iterations.hpp"
#include "normal_stream.hpp"

#include "shardsim/plan/partition.hpp"
#include "shardsim/plan/tensor_split.hpp"
#include "shardsim/util/concat.hpp"

namespace shardsim::verify {
namespace tensor_layer {

Matrix<double> random_matrix(NormalStream& normals, Index rows, Index cols, double scale, double offset) {
  Matrix<double> m(rows, cols);
  for (Index r = 0; r < rows; ++r) {
    for (Index c = 0; c < cols; ++c) m(r, c) = offset + normals.next() * scale;
  }
  return m;
}

Weights<double> draw_weights(const Dims& d, NormalStream& normals) {
  const Index qkv = d.heads * d.head_dim;
  const Index kv = d.kv_heads * d.head_dim;
  const auto inverse_sqrt = [](Index fan_in) { return 1.0 / std::sqrt(static_cast<double>(fan_in)); };
  Weights<double> w;
  w.w_q = random_matrix(normals, d.d_model, qkv, inverse_sqrt(d.d_model));
  w.w_k = random_matrix(normals, d.d_model, kv, inverse_sqrt(d.d_model));
  w.w_v = random_matrix(normals, d.d_model, kv, inverse_sqrt(d.d_model));
  w.w_o = random_matrix(normals, qkv, d.d_model, inverse_sqrt(qkv));
  w.w_gate = random_matrix(normals, d.d_model, d.d_ff, inverse_sqrt(d.d_model));
  w.w_up = random_matrix(normals, d.d_model, d.d_ff, inverse_sqrt(d.d_model));
  w.w_down = random_matrix(normals, d.d_ff, d.d_model, inverse_sqrt(d.d_ff));
  w.gamma_1 = random_matrix(normals, 1, d.d_model, 0.1, 1.0);
  w.gamma_2 = random_matrix(normals, 1, d.d_model, 0.1, 1.0);
  return w;
}

// ---- Row-wise building blocks, shared by both paths so that T = 1 runs the very same float operations. ----

template <class S>
Matrix<S> rms_norm(const Matrix<S>& x, const RowVector<S>& gamma) {
  Matrix<S> n(x.rows(), x.cols());
  const S width = static_cast<S>(x.cols());
  for (Index t = 0; t < x.rows(); ++t) {
    const S scale = S(1) / std::sqrt(x.row(t).squaredNorm() / width + kNormEpsilon<S>);
    n.row(t) = (x.row(t) * scale).cwiseProduct(gamma);
  }
  return n;
}

template <class S>
Matrix<S> attention_probabilities(const Matrix<S>& q, const Matrix<S>& k) {
  Matrix<S> scores = q * k.transpose();
  scores *= S(1) / std::sqrt(static_cast<S>(q.cols()));
  for (Index t = 0; t < scores.rows(); ++t) {
    const Index seen = t + 1;  // token t attends to tokens 0..t
    const S top = scores.row(t).head(seen).maxCoeff();
    S total = 0;
    for (Index j = 0; j < seen; ++j) {
      scores(t, j) = std::exp(scores(t, j) - top);
      total += scores(t, j);
    }
    for (Index j = 0; j < seen; ++j) scores(t, j) /= total;
    for (Index j = seen; j < scores.cols(); ++j) scores(t, j) = 0;
  }
  return scores;
}

template <class S>
Matrix<S> attention_head(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v) {
  return attention_probabilities(q, k) * v;
}

template <class S>
Matrix<S> swiglu(const Matrix<S>& gate, const Matrix<S>& up) {
  Matrix<S> a(gate.rows(), gate.cols());
  for (Index c = 0; c < gate.cols(); ++c) {
    for (Index r = 0; r < gate.rows(); ++r) {
      const S z = gate(r, c);
      a(r, c) = z / (S(1) + std::exp(-z)) * up(r, c);
    }
  }
  return a;
}

template <class S>
Matrix<S> all_reduce(const std::vector<Matrix<S>>& partials, bool skip_last) {
  const std::size_t count = partials.size() - (skip_last ? 1 : 0);
  if (count == 0) return Matrix<S>::Zero(partials.front().rows(), partials.front().cols());
  Matrix<S> sum = partials[0];
  for (std::size_t r = 1; r < count; ++r) sum += partials[r];
  return sum;
}

template <class S>
double relative_error(const Matrix<S>& actual, const Matrix<S>& reference) {
  const Eigen::MatrixXd expected = reference.template cast<double>();
  const double difference = (actual.template cast<double>() - expected).norm();
  const double scale = expected.norm();
  if (scale == 0.0) return difference == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return difference / scale;
}

// ---- The unsharded layer: whole matrices, written independently of the shard bookkeeping. ----

template <class S>
Activations<S> single_layer(const Weights<S>& w, const Dims& d, const Matrix<S>& x) {
  const Index hd = d.head_dim;
  Activations<S> a;
  a.n1 = rms_norm(x, w.gamma_1);
  a.q = a.n1 * w.w_q;
  a.k = a.n1 * w.w_k;
  a.v = a.n1 * w.w_v;
  a.o.resize(x.rows(), d.heads * hd);
  for (Index t = 0; t < x.rows(); t += d.seq) {  // each sequence on its own
    for (Index h = 0; h < d.heads; ++h) {
      const Index g = h / d.group();
      a.o.block(t, h * hd, d.seq, hd) = attention_head<S>(
          a.q.block(t, h * hd, d.seq, hd), a.k.block(t, g * hd, d.seq, hd), a.v.block(t, g * hd, d.seq, hd));
    }
  }
  const Matrix<S> attn = a.o * w.w_o;
  a.h = x + attn;

  a.n2 = rms_norm(a.h, w.gamma_2);
  a.gate = a.n2 * w.w_gate;
  a.up = a.n2 * w.w_up;
  a.a = swiglu(a.gate, a.up);
  const Matrix<S> mlp = a.a * w.w_down;
  a.y = a.h + mlp;
  return a;
}

// ---- The sharded layer. ----

std::vector<RankLayout> rank_layouts(const Dims& d, int degree, const std::vector<double>& weights) {
  std::vector<RankLayout> layouts(static_cast<std::size_t>(degree));
  if (!weights.empty()) {
    // The plan's own uneven split (the vocabulary is not part of the layer: d_ff stands in for it).
    const plan::TensorSplitResult split =
        plan::uneven_tensor_split(plan::TensorExtents{d.heads, d.kv_heads, d.d_ff, d.d_ff}, weights);
    if (!split.split) throw std::invalid_argument(split.problem);
    for (std::size_t r = 0; r < layouts.size(); ++r) {
      RankLayout& l = layouts[r];
      l.q_begin = split.split->heads[r].begin;
      l.q_count = split.split->heads[r].size;
      l.kv_begin = split.split->kv_heads[r].begin;
      l.kv_count = split.split->kv_heads[r].size;
      l.ff = split.split->ff[r];
    }
    return layouts;
  }
  const std::vector<Range> ff = balanced_split(d.d_ff, degree);
  for (Index r = 0; r < degree; ++r) {
    RankLayout& l = layouts[static_cast<std::size_t>(r)];
    l.q_count = d.heads / degree;
    l.q_begin = r * l.q_count;
    // The KV heads of its first and last query head, and all between: kv_heads / T of them when kv_heads % T
    // == 0; one (shared with the other ranks of its group: replicated) when T % kv_heads == 0.
    l.kv_begin = l.q_begin / d.group();
    l.kv_count = (l.q_begin + l.q_count - 1) / d.group() + 1 - l.kv_begin;
    l.ff = ff[static_cast<std::size_t>(r)];
  }
  return layouts;
}

template <class S>
RankShard<S> take_shard(const Weights<S>& w, const Dims& d, const RankLayout& layout) {
  const Index hd = d.head_dim;
  RankShard<S> s;
  s.layout = layout;
  s.w_q = w.w_q.middleCols(layout.q_begin * hd, layout.q_count * hd);
  s.w_k = w.w_k.middleCols(layout.kv_begin * hd, layout.kv_count * hd);
  s.w_v = w.w_v.middleCols(layout.kv_begin * hd, layout.kv_count * hd);
  s.w_o = w.w_o.middleRows(layout.q_begin * hd, layout.q_count * hd);
  s.w_gate = w.w_gate.middleCols(layout.ff.begin, layout.ff.size);
  s.w_up = w.w_up.middleCols(layout.ff.begin, layout.ff.size);
  s.w_down = w.w_down.middleRows(layout.ff.begin, layout.ff.size);
  return s;
}

template <class S>
ShardedActivations<S> sharded_layer(const std::vector<RankShard<S>>& shards, const Weights<S>& w, const Dims& d,
                                    const Matrix<S>& x, TensorFault fault) {
  const Index hd = d.head_dim;
  ShardedActivations<S> a;
  a.ranks.resize(shards.size());
  // Replicated: every rank normalizes the same full x with the same gamma, so one evaluation stands for all.
  a.n1 = rms_norm(x, w.gamma_1);
  std::vector<Matrix<S>> partials;
  partials.reserve(shards.size());
  for (std::size_t r = 0; r < shards.size(); ++r) {
    const RankShard<S>& s = shards[r];
    RankActivations<S>& ra = a.ranks[r];
    ra.q = a.n1 * s.w_q;
    ra.k = a.n1 * s.w_k;
    ra.v = a.n1 * s.w_v;
    ra.o.resize(x.rows(), s.layout.q_count * hd);
    for (Index t = 0; t < x.rows(); t += d.seq) {
      for (Index j = 0; j < s.layout.q_count; ++j) {
        const Index g = (s.layout.q_begin + j) / d.group() - s.layout.kv_begin;  // local index of its KV head
        ra.o.block(t, j * hd, d.seq, hd) = attention_head<S>(
            ra.q.block(t, j * hd, d.seq, hd), ra.k.block(t, g * hd, d.seq, hd), ra.v.block(t, g * hd, d.seq, hd));
      }
    }
    partials.push_back(ra.o * s.w_o);
  }
  a.h = x + all_reduce(partials, fault == TensorFault::skip_attention_rank);

  a.n2 = rms_norm(a.h, w.gamma_2);
  partials.clear();
  for (std::size_t r = 0; r < shards.size(); ++r) {
    const RankShard<S>& s = shards[r];
    RankActivations<S>& ra = a.ranks[r];
    ra.gate = a.n2 * s.w_gate;
    ra.up = a.n2 * s.w_up;
    ra.a = swiglu(ra.gate, ra.up);
    partials.push_back(ra.a * s.w_down);
  }
  a.y = a.h + all_reduce(partials, fault == TensorFault::skip_mlp_rank);
  return a;
}

// Instantiated for the float checks and the training check's double runs; nothing else.
#define SHARDSIM_TENSOR_LAYER_INSTANTIATE(S)                                                                   \
  template Matrix<S> rms_norm<S>(const Matrix<S>&, const RowVector<S>&);                                       \
  template Matrix<S> attention_probabilities<S>(const Matrix<S>&, const Matrix<S>&);                           \
  template Matrix<S> attention_head<S>(const Matrix<S>&, const Matrix<S>&, const Matrix<S>&);                  \
  template Matrix<S> swiglu<S>(const Matrix<S>&, const Matrix<S>&);                                            \
  template Matrix<S> all_reduce<S>(const std::vector<Matrix<S>>&, bool);                                       \
  template double relative_error<S>(const Matrix<S>&, const Matrix<S>&);                                       \
  template RankShard<S> take_shard<S>(const Weights<S>&, const Dims&, const RankLayout&);                      \
  template Activations<S> single_layer<S>(const Weights<S>&, const Dims&, const Matrix<S>&);                   \
  template ShardedActivations<S> sharded_layer<S>(const std::vector<RankShard<S>>&, const Weights<S>&,         \
                                                  const Dims&, const Matrix<S>&, TensorFault);
SHARDSIM_TENSOR_LAYER_INSTANTIATE(float)
SHARDSIM_TENSOR_LAYER_INSTANTIATE(double)
#undef SHARDSIM_TENSOR_LAYER_INSTANTIATE

}  // namespace tensor_layer

namespace {

using tensor_layer::Dims;
using tensor_layer::Index;
using tensor_layer::RankLayout;
using tensor_layer::RankShard;
using tensor_layer::Weights;
using FloatMatrix = tensor_layer::Matrix<float>;

// Every rank's shard, with the faults that change what a rank holds.
std::vector<RankShard<float>> make_shards(const Weights<float>& w, const Dims& d, int degree,
                                         const std::vector<double>& weights, TensorFault fault) {
  const Index hd = d.head_dim;
  std::vector<RankShard<float>> shards;
  for (RankLayout layout : tensor_layer::rank_layouts(d, degree, weights)) {
    const Index r = static_cast<Index>(shards.size());
    if (fault == TensorFault::drop_ff_column && r == degree - 1) layout.ff.size -= 1;
    RankShard<float> s = tensor_layer::take_shard(w, d, layout);
    if (fault == TensorFault::wrong_kv_heads) {
      for (Index j = 0; j < layout.kv_count; ++j) {
        const Index held = (layout.kv_begin + j + 1) % d.kv_heads;
        s.w_k.middleCols(j * hd, hd) = w.w_k.middleCols(held * hd, hd);
        s.w_v.middleCols(j * hd, hd) = w.w_v.middleCols(held * hd, hd);
      }
    }
    if (fault == TensorFault::shifted_w_o_rows) {
      s.w_o = w.w_o.middleRows((r + 1) % degree * layout.q_count * hd, layout.q_count * hd);
    }
    shards.push_back(std::move(s));
  }
  return shards;
}


}  // namespace

std::string tensor_degree_problem(const TensorCheckOptions& o, int degree) {
  if (o.d_model < 1 || o.heads < 1 || o.kv_heads < 1 || o.head_dim < 1 || o.d_ff < 1 || o.seq < 1 ||
      o.iterations < 1) {
    return "d_model, heads, kv_heads, head_dim, d_ff, seq and iterations must be positive";
  }
  if (o.heads % o.kv_heads != 0) {
    return concat("heads (", o.heads, ") must be divisible by kv_heads (", o.kv_heads, ")");
  }
  const std::string t = concat("the tensor-parallel degree (", degree, ")");
  if (degree < 1) return t + " must be at least 1";
  if (!o.split.empty()) {
    if (static_cast<int>(o.split.size()) != degree) return concat(o.split.size(), " weights for ", degree, " ranks");
    for (const double w : o.split) {
      if (!(w > 0) || !std::isfinite(w)) return "the split's weights must be positive";
    }
    return plan::uneven_tensor_split(plan::TensorExtents{o.heads, o.kv_heads, o.d_ff, o.d_ff}, o.split).problem;
  }
  if (o.heads % degree != 0) return concat("heads (", o.heads, ") must be divisible by ", t);
  if (o.kv_heads % degree != 0 && degree % o.kv_heads != 0) {
    return concat("kv_heads (", o.kv_heads, ") must be divisible by ", t, ", or the degree by kv_heads");
  }
  if (o.d_ff < degree) return concat("d_ff (", o.d_ff, ") must be at least ", t);
  return {};
}

TensorCheckResult check_tensor_layer(const TensorCheckOptions& options, int degree, TensorFault fault) {
  if (const std::string problem = tensor_degree_problem(options, degree); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  const Dims d{options.d_model, options.heads,   options.kv_heads,
               options.head_dim, options.d_ff, options.seq};
  NormalStream normals(options.seed);
  const Weights<float> w = tensor_layer::draw_weights(d, normals).cast<float>();
  const FloatMatrix input = tensor_layer::random_matrix(normals, d.seq, d.d_model, 1.0).cast<float>();

  const std::vector<RankShard<float>> shards = make_shards(w, d, degree, options.split, fault);

  TensorCheckResult result;
  iterate_layers(
      result, input, options.iterations,
      [&](const FloatMatrix& y) -> FloatMatrix { return tensor_layer::single_layer(w, d, y).y; },
      [&](const FloatMatrix& y) -> FloatMatrix { return tensor_layer::sharded_layer(shards, w, d, y, fault).y; });
  return result;
}

}  // namespace shardsim::verify
