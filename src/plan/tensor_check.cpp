#include "shardsim/plan/tensor_check.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>

#include "normal_stream.hpp"

#include "shardsim/plan/partition.hpp"

namespace shardsim::plan {
namespace {

using Matrix = Eigen::MatrixXf;
using RowVector = Eigen::RowVectorXf;
using Index = Eigen::Index;


// rows x cols of offset + N(0, 1) * scale, drawn row-major.
Matrix random_matrix(NormalStream& normals, Index rows, Index cols, double scale, double offset = 0.0) {
  Matrix m(rows, cols);
  for (Index r = 0; r < rows; ++r) {
    for (Index c = 0; c < cols; ++c) m(r, c) = static_cast<float>(offset + normals.next() * scale);
  }
  return m;
}

struct Dims {
  Index d_model, heads, kv_heads, head_dim, d_ff, seq;
  Index group() const { return heads / kv_heads; }  // query heads per KV head
};

struct Weights {
  Matrix w_q, w_k, w_v, w_o;  // d_model x heads*hd, d_model x kv*hd (twice), heads*hd x d_model
  Matrix w_gate, w_up;        // d_model x d_ff
  Matrix w_down;              // d_ff x d_model
  RowVector gamma_1, gamma_2;  // d_model
};

// ---- Row-wise building blocks, shared by both paths so that T = 1 runs the very same float operations. ----

constexpr float kNormEpsilon = 1e-5f;

Matrix rms_norm(const Matrix& x, const RowVector& gamma) {
  Matrix n(x.rows(), x.cols());
  const float width = static_cast<float>(x.cols());
  for (Index t = 0; t < x.rows(); ++t) {
    const float scale = 1.0f / std::sqrt(x.row(t).squaredNorm() / width + kNormEpsilon);
    n.row(t) = (x.row(t) * scale).cwiseProduct(gamma);
  }
  return n;
}

// One head: softmax(q k^T / sqrt(head_dim), causal) v, each operand seq x head_dim. The parameters are Matrix,
// not blocks, so callers' column blocks are copied into fresh matrices first: both paths then multiply operands
// of the same alignment and strides, whatever the block's offset in its parent (Eigen's vectorized loops may
// peel differently for differently aligned data, which would change the summation order).
Matrix attention_head(const Matrix& q, const Matrix& k, const Matrix& v) {
  Matrix scores = q * k.transpose();
  scores *= 1.0f / std::sqrt(static_cast<float>(q.cols()));
  for (Index t = 0; t < scores.rows(); ++t) {
    const Index seen = t + 1;  // token t attends to tokens 0..t
    const float top = scores.row(t).head(seen).maxCoeff();
    float total = 0.0f;
    for (Index j = 0; j < seen; ++j) {
      scores(t, j) = std::exp(scores(t, j) - top);
      total += scores(t, j);
    }
    for (Index j = 0; j < seen; ++j) scores(t, j) /= total;
    for (Index j = seen; j < scores.cols(); ++j) scores(t, j) = 0.0f;
  }
  return scores * v;
}

// silu(gate) * up, elementwise.
Matrix swiglu(const Matrix& gate, const Matrix& up) {
  Matrix a(gate.rows(), gate.cols());
  for (Index c = 0; c < gate.cols(); ++c) {
    for (Index r = 0; r < gate.rows(); ++r) {
      const float z = gate(r, c);
      a(r, c) = z / (1.0f + std::exp(-z)) * up(r, c);
    }
  }
  return a;
}

// ---- The unsharded layer: whole matrices, written independently of the shard bookkeeping. ----

Matrix single_layer(const Weights& w, const Dims& d, const Matrix& x) {
  const Matrix n1 = rms_norm(x, w.gamma_1);
  const Matrix q = n1 * w.w_q;
  const Matrix k = n1 * w.w_k;
  const Matrix v = n1 * w.w_v;
  Matrix o(d.seq, d.heads * d.head_dim);
  for (Index h = 0; h < d.heads; ++h) {
    const Index g = h / d.group();
    o.middleCols(h * d.head_dim, d.head_dim) =
        attention_head(q.middleCols(h * d.head_dim, d.head_dim), k.middleCols(g * d.head_dim, d.head_dim),
                       v.middleCols(g * d.head_dim, d.head_dim));
  }
  const Matrix attn = o * w.w_o;
  const Matrix h = x + attn;

  const Matrix n2 = rms_norm(h, w.gamma_2);
  const Matrix a = swiglu(n2 * w.w_gate, n2 * w.w_up);
  const Matrix mlp = a * w.w_down;
  return h + mlp;
}

// ---- The sharded layer. ----

// What rank r holds: its own copies of its weight slices, and which heads they are.
struct RankShard {
  Index q_begin = 0, q_count = 0;    // global query heads [q_begin, q_begin + q_count)
  Index kv_begin = 0, kv_count = 0;  // global KV heads the correct plan gives it (for local indexing)
  Matrix w_q, w_k, w_v, w_o;         // d_model x q_count*hd, d_model x kv_count*hd (twice), q_count*hd x d_model
  Matrix w_gate, w_up, w_down;       // d_model x f, d_model x f, f x d_model (f: its d_ff slice)
};

std::vector<RankShard> make_shards(const Weights& w, const Dims& d, Index degree, TensorFault fault) {
  const Index hd = d.head_dim;
  const std::vector<Range> ff = balanced_split(d.d_ff, static_cast<int>(degree));
  std::vector<RankShard> shards(static_cast<std::size_t>(degree));
  for (Index r = 0; r < degree; ++r) {
    RankShard& s = shards[static_cast<std::size_t>(r)];
    s.q_count = d.heads / degree;
    s.q_begin = r * s.q_count;
    // The KV heads of its first and last query head, and all between: kv_heads / T of them when kv_heads % T
    // == 0; one (shared with the other ranks of its group: replicated) when T % kv_heads == 0.
    s.kv_begin = s.q_begin / d.group();
    s.kv_count = (s.q_begin + s.q_count - 1) / d.group() + 1 - s.kv_begin;

    s.w_q = w.w_q.middleCols(s.q_begin * hd, s.q_count * hd);
    s.w_k.resize(d.d_model, s.kv_count * hd);
    s.w_v.resize(d.d_model, s.kv_count * hd);
    for (Index j = 0; j < s.kv_count; ++j) {
      const Index held = fault == TensorFault::wrong_kv_heads ? (s.kv_begin + j + 1) % d.kv_heads : s.kv_begin + j;
      s.w_k.middleCols(j * hd, hd) = w.w_k.middleCols(held * hd, hd);
      s.w_v.middleCols(j * hd, hd) = w.w_v.middleCols(held * hd, hd);
    }
    const Index o_rank = fault == TensorFault::shifted_w_o_rows ? (r + 1) % degree : r;
    s.w_o = w.w_o.middleRows(o_rank * s.q_count * hd, s.q_count * hd);

    Range f = ff[static_cast<std::size_t>(r)];
    if (fault == TensorFault::drop_ff_column && r == degree - 1) f.size -= 1;
    s.w_gate = w.w_gate.middleCols(f.begin, f.size);
    s.w_up = w.w_up.middleCols(f.begin, f.size);
    s.w_down = w.w_down.middleRows(f.begin, f.size);
  }
  return shards;
}

// The all-reduce (sum) as ((p_0 + p_1) + p_2) + ...; `skip_last` leaves out the last rank's partial.
Matrix all_reduce(const std::vector<Matrix>& partials, bool skip_last) {
  const std::size_t count = partials.size() - (skip_last ? 1 : 0);
  if (count == 0) return Matrix::Zero(partials.front().rows(), partials.front().cols());
  Matrix sum = partials[0];
  for (std::size_t r = 1; r < count; ++r) sum += partials[r];
  return sum;
}

Matrix sharded_layer(const std::vector<RankShard>& shards, const Weights& w, const Dims& d, const Matrix& x,
                     TensorFault fault) {
  const Index hd = d.head_dim;
  // Replicated: every rank normalizes the same full x with the same gamma, so one evaluation stands for all.
  const Matrix n1 = rms_norm(x, w.gamma_1);
  std::vector<Matrix> partials;
  partials.reserve(shards.size());
  for (const RankShard& s : shards) {
    const Matrix q = n1 * s.w_q;
    const Matrix k = n1 * s.w_k;
    const Matrix v = n1 * s.w_v;
    Matrix o(d.seq, s.q_count * hd);
    for (Index j = 0; j < s.q_count; ++j) {
      const Index g = (s.q_begin + j) / d.group() - s.kv_begin;  // local index of its KV head
      o.middleCols(j * hd, hd) =
          attention_head(q.middleCols(j * hd, hd), k.middleCols(g * hd, hd), v.middleCols(g * hd, hd));
    }
    partials.push_back(o * s.w_o);
  }
  const Matrix attn = all_reduce(partials, fault == TensorFault::skip_attention_rank);
  const Matrix h = x + attn;

  const Matrix n2 = rms_norm(h, w.gamma_2);
  partials.clear();
  for (const RankShard& s : shards) {
    const Matrix a = swiglu(n2 * s.w_gate, n2 * s.w_up);
    partials.push_back(a * s.w_down);
  }
  const Matrix mlp = all_reduce(partials, fault == TensorFault::skip_mlp_rank);
  return h + mlp;
}

// ||sharded - single||_F / ||single||_F in double.
double relative_error(const Matrix& sharded, const Matrix& single) {
  const Eigen::MatrixXd reference = single.cast<double>();
  const double difference = (sharded.cast<double>() - reference).norm();
  const double scale = reference.norm();
  if (scale == 0.0) return difference == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return difference / scale;
}

// "(v)". Built by appending: GCC 12 warns falsely (-Wrestrict) on "(" + std::to_string(v).
std::string number(std::int64_t v) {
  std::string s = "(";
  s += std::to_string(v);
  s += ')';
  return s;
}

}  // namespace

std::string tensor_degree_problem(const TensorCheckOptions& o, int degree) {
  if (o.d_model < 1 || o.heads < 1 || o.kv_heads < 1 || o.head_dim < 1 || o.d_ff < 1 || o.seq < 1 ||
      o.iterations < 1) {
    return "d_model, heads, kv_heads, head_dim, d_ff, seq and iterations must be positive";
  }
  if (o.heads % o.kv_heads != 0) {
    return "heads " + number(o.heads) + " must be divisible by kv_heads " + number(o.kv_heads);
  }
  const std::string t = "the tensor-parallel degree " + number(degree);
  if (degree < 1) return t + " must be at least 1";
  if (o.heads % degree != 0) return "heads " + number(o.heads) + " must be divisible by " + t;
  if (o.kv_heads % degree != 0 && degree % o.kv_heads != 0) {
    return "kv_heads " + number(o.kv_heads) + " must be divisible by " + t + ", or the degree by kv_heads";
  }
  if (o.d_ff < degree) return "d_ff " + number(o.d_ff) + " must be at least " + t;
  return {};
}

TensorCheckResult check_tensor_layer(const TensorCheckOptions& options, int degree, TensorFault fault) {
  if (const std::string problem = tensor_degree_problem(options, degree); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  const Dims d{options.d_model, options.heads,   options.kv_heads,
               options.head_dim, options.d_ff, options.seq};
  const Index qkv = d.heads * d.head_dim;
  const Index kv = d.kv_heads * d.head_dim;
  const auto inverse_sqrt = [](Index fan_in) { return 1.0 / std::sqrt(static_cast<double>(fan_in)); };

  NormalStream normals(options.seed);
  Weights w;
  w.w_q = random_matrix(normals, d.d_model, qkv, inverse_sqrt(d.d_model));
  w.w_k = random_matrix(normals, d.d_model, kv, inverse_sqrt(d.d_model));
  w.w_v = random_matrix(normals, d.d_model, kv, inverse_sqrt(d.d_model));
  w.w_o = random_matrix(normals, qkv, d.d_model, inverse_sqrt(qkv));
  w.w_gate = random_matrix(normals, d.d_model, d.d_ff, inverse_sqrt(d.d_model));
  w.w_up = random_matrix(normals, d.d_model, d.d_ff, inverse_sqrt(d.d_model));
  w.w_down = random_matrix(normals, d.d_ff, d.d_model, inverse_sqrt(d.d_ff));
  w.gamma_1 = random_matrix(normals, 1, d.d_model, 0.1, 1.0);
  w.gamma_2 = random_matrix(normals, 1, d.d_model, 0.1, 1.0);
  const Matrix input = random_matrix(normals, d.seq, d.d_model, 1.0);

  const std::vector<RankShard> shards = make_shards(w, d, degree, fault);

  TensorCheckResult result;
  result.relative_error.reserve(static_cast<std::size_t>(options.iterations));
  Matrix y_single = input;
  Matrix y_sharded = input;
  for (int i = 0; i < options.iterations; ++i) {
    y_single = single_layer(w, d, y_single);
    y_sharded = sharded_layer(shards, w, d, y_sharded, fault);
    const double error = relative_error(y_sharded, y_single);
    result.relative_error.push_back(error);
    if (!(error <= result.max_relative_error)) result.max_relative_error = error;  // lets a NaN through
  }
  result.single_sum = y_single.cast<double>().sum();
  result.sharded_sum = y_sharded.cast<double>().sum();
  return result;
}

}  // namespace shardsim::plan
