#include "shardsim/verify/training_check.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>

#include "decoder_layer.hpp"
#include "normal_stream.hpp"

#include "shardsim/plan/partition.hpp"
#include "shardsim/util/concat.hpp"
#include "shardsim/verify/tensor_check.hpp"

namespace shardsim::verify {
namespace {

using tensor_layer::Activations;
using tensor_layer::all_reduce;
using tensor_layer::Dims;
using tensor_layer::Index;
using tensor_layer::Matrix;
using tensor_layer::RankLayout;
using tensor_layer::RankShard;
using tensor_layer::RowVector;
using tensor_layer::ShardedActivations;
using tensor_layer::Weights;

// The gradients of L, one per tensor; the gammas' as 1 x d_model matrices so that every tensor is compared alike.
template <class S>
struct Gradients {
  Matrix<S> x, w_q, w_k, w_v, w_o, w_gate, w_up, w_down, gamma_1, gamma_2;
};

constexpr std::size_t kTensors = 10;
constexpr std::array<const char*, kTensors> kTensorNames = {"x",    "W_q",  "W_k",    "W_v",     "W_o",
                                                            "W_gate", "W_up", "W_down", "gamma_1", "gamma_2"};

template <class S>
std::array<const Matrix<S>*, kTensors> tensors(const Gradients<S>& g) {
  return {&g.x, &g.w_q, &g.w_k, &g.w_v, &g.w_o, &g.w_gate, &g.w_up, &g.w_down, &g.gamma_1, &g.gamma_2};
}

// ---- The backward of each block, shared by the single machine (whole matrices) and each rank (its shards). ----

template <class S>
struct NormBackward {
  Matrix<S> input;      // dL/dv
  RowVector<S> gamma;   // dL/dgamma
};

// RMSNorm backward on the norm's input v (its scale r recomputed exactly as rms_norm computes it).
template <class S>
NormBackward<S> rms_norm_backward(const Matrix<S>& v, const RowVector<S>& gamma, const Matrix<S>& dn,
                                  TrainingFault fault) {
  NormBackward<S> b{Matrix<S>(v.rows(), v.cols()), RowVector<S>::Zero(v.cols())};
  const S width = static_cast<S>(v.cols());
  for (Index t = 0; t < v.rows(); ++t) {
    const S r = S(1) / std::sqrt(v.row(t).squaredNorm() / width + tensor_layer::kNormEpsilon<S>);
    const RowVector<S> normalized = v.row(t) * r;
    b.gamma += normalized.cwiseProduct(dn.row(t));
    const RowVector<S> d_normalized = dn.row(t).cwiseProduct(gamma);
    const S mean = fault == TrainingFault::norm_backward_no_mean ? S(0) : d_normalized.dot(normalized) / width;
    b.input.row(t) = (d_normalized - normalized * mean) * r;
  }
  return b;
}

// The two blocks' backward below take the activations and the weights of the whole layer (Activations,
// Weights) or of one rank (RankActivations, RankShard): the same members, whole or sliced.

// The MLP's backward on one set of columns of d_ff (all of them, or a rank's slice): its weight gradients and
// its (partial, for a slice) dN2.
template <class S>
struct MlpBackward {
  Matrix<S> w_gate, w_up, w_down, n2;
};

template <class S, class Acts, class Ws>
MlpBackward<S> mlp_backward(const Matrix<S>& n2, const Acts& a, const Ws& w, const Matrix<S>& dy) {
  MlpBackward<S> b;
  b.w_down = a.a.transpose() * dy;
  const Matrix<S> da = dy * w.w_down.transpose();
  Matrix<S> d_gate(a.gate.rows(), a.gate.cols());
  Matrix<S> d_up(a.gate.rows(), a.gate.cols());
  for (Index c = 0; c < a.gate.cols(); ++c) {
    for (Index r = 0; r < a.gate.rows(); ++r) {
      const S z = a.gate(r, c);
      const S sigmoid = S(1) / (S(1) + std::exp(-z));
      d_up(r, c) = da(r, c) * z * sigmoid;
      d_gate(r, c) = da(r, c) * a.up(r, c) * sigmoid * (S(1) + z * (S(1) - sigmoid));
    }
  }
  b.w_gate = n2.transpose() * d_gate;
  b.w_up = n2.transpose() * d_up;
  b.n2 = d_gate * w.w_gate.transpose() + d_up * w.w_up.transpose();
  return b;
}

// The attention's backward on the query heads [q_begin, q_begin + a.q.cols() / head_dim) whose KV heads are the
// columns of a.k and a.v from KV head kv_begin on: all heads (0, 0), or a rank's.
template <class S>
struct AttentionBackward {
  Matrix<S> w_q, w_k, w_v, w_o, n1;
};

template <class S, class Acts, class Ws>
AttentionBackward<S> attention_backward(const Dims& d, Index q_begin, Index kv_begin, const Matrix<S>& n1,
                                        const Acts& a, const Ws& w, const Matrix<S>& dh) {
  const Index hd = d.head_dim;
  const S c = S(1) / std::sqrt(static_cast<S>(hd));
  const Matrix<S>& q = a.q;
  const Matrix<S>& k = a.k;
  const Matrix<S>& v = a.v;
  AttentionBackward<S> b;
  b.w_o = a.o.transpose() * dh;
  const Matrix<S> d_o = dh * w.w_o.transpose();
  Matrix<S> dq(q.rows(), q.cols());
  Matrix<S> dk = Matrix<S>::Zero(k.rows(), k.cols());
  Matrix<S> dv = Matrix<S>::Zero(v.rows(), v.cols());
  for (Index t = 0; t < q.rows(); t += d.seq) {  // each sequence on its own
    for (Index j = 0; j < q.cols() / hd; ++j) {
      const Index g = (q_begin + j) / d.group() - kv_begin;  // local index of its KV head
      const Matrix<S> q_i = q.block(t, j * hd, d.seq, hd);
      const Matrix<S> k_g = k.block(t, g * hd, d.seq, hd);
      const Matrix<S> v_g = v.block(t, g * hd, d.seq, hd);
      const Matrix<S> d_o_i = d_o.block(t, j * hd, d.seq, hd);
      // P again rather than kept from the forward (as activation recomputation does): seq x seq per head.
      const Matrix<S> p = tensor_layer::attention_probabilities(q_i, k_g);
      const Matrix<S> dp = d_o_i * v_g.transpose();
      Matrix<S> ds(d.seq, d.seq);
      for (Index r = 0; r < d.seq; ++r) {
        const S weighted = dp.row(r).dot(p.row(r));
        ds.row(r) = p.row(r).cwiseProduct(dp.row(r) - RowVector<S>::Constant(d.seq, weighted));
      }
      dq.block(t, j * hd, d.seq, hd) = ds * k_g * c;
      dk.block(t, g * hd, d.seq, hd) += ds.transpose() * q_i * c;
      dv.block(t, g * hd, d.seq, hd) += p.transpose() * d_o_i;
    }
  }
  b.w_q = n1.transpose() * dq;
  b.w_k = n1.transpose() * dk;
  b.w_v = n1.transpose() * dv;
  b.n1 = dq * w.w_q.transpose() + dk * w.w_k.transpose() + dv * w.w_v.transpose();
  return b;
}

// ---- The single machine: the blocks on whole matrices, the whole batch at once. ----

template <class S>
Gradients<S> single_backward(const Weights<S>& w, const Dims& d, const Matrix<S>& x, const Activations<S>& a,
                             const Matrix<S>& dy, TrainingFault fault) {
  Gradients<S> g;
  const MlpBackward<S> mlp = mlp_backward(a.n2, a, w, dy);
  const NormBackward<S> norm_2 = rms_norm_backward(a.h, w.gamma_2, mlp.n2, fault);
  const Matrix<S> dh = dy + norm_2.input;
  const AttentionBackward<S> attention = attention_backward(d, 0, 0, a.n1, a, w, dh);
  const NormBackward<S> norm_1 = rms_norm_backward(x, w.gamma_1, attention.n1, fault);
  g.x = dh + norm_1.input;
  g.w_q = attention.w_q;
  g.w_k = attention.w_k;
  g.w_v = attention.w_v;
  g.w_o = attention.w_o;
  g.w_gate = mlp.w_gate;
  g.w_up = mlp.w_up;
  g.w_down = mlp.w_down;
  g.gamma_1 = norm_1.gamma;
  g.gamma_2 = norm_2.gamma;
  return g;
}

// ---- One replica split over T ranks. ----

// What rank r ends its backward with: the gradients of its own shards (not yet summed over replicas, nor over
// the ranks sharing a KV head).
template <class S>
struct RankGradients {
  Matrix<S> w_q, w_k, w_v, w_o, w_gate, w_up, w_down;
};

template <class S>
struct ReplicaGradients {
  std::vector<RankGradients<S>> ranks;
  Matrix<S> x, gamma_1, gamma_2;  // replicated over the replica's ranks: computed once, standing for all
};

// The gammas' gradients from the all-reduced dN (every rank alike), or, with local_norm_gain, from rank 0's
// partial.
template <class S>
RowVector<S> gamma_gradient(const NormBackward<S>& reduced, const Matrix<S>& v, const RowVector<S>& gamma,
                            const std::vector<Matrix<S>>& partials, TrainingFault fault) {
  if (fault != TrainingFault::local_norm_gain) return reduced.gamma;
  return rms_norm_backward(v, gamma, partials.front(), fault).gamma;
}

template <class S>
ReplicaGradients<S> sharded_backward(const std::vector<RankShard<S>>& shards, const Weights<S>& w, const Dims& d,
                                     const Matrix<S>& x, const ShardedActivations<S>& a, const Matrix<S>& dy,
                                     TrainingFault fault) {
  ReplicaGradients<S> g;
  g.ranks.resize(shards.size());
  std::vector<Matrix<S>> partials;  // each rank's dN2, then dN1: the f operator's backward all-reduce
  partials.reserve(shards.size());
  for (std::size_t r = 0; r < shards.size(); ++r) {
    // dy: replicated (the g operator's backward is the identity).
    MlpBackward<S> mlp = mlp_backward(a.n2, a.ranks[r], shards[r], dy);
    g.ranks[r].w_gate = std::move(mlp.w_gate);
    g.ranks[r].w_up = std::move(mlp.w_up);
    g.ranks[r].w_down = std::move(mlp.w_down);
    partials.push_back(std::move(mlp.n2));
  }
  const NormBackward<S> norm_2 = rms_norm_backward(
      a.h, w.gamma_2, all_reduce(partials, fault == TrainingFault::skip_mlp_grad_rank), fault);
  g.gamma_2 = gamma_gradient(norm_2, a.h, w.gamma_2, partials, fault);
  const Matrix<S> dh = dy + norm_2.input;

  partials.clear();
  for (std::size_t r = 0; r < shards.size(); ++r) {
    const RankLayout& l = shards[r].layout;
    AttentionBackward<S> attention = attention_backward(d, l.q_begin, l.kv_begin, a.n1, a.ranks[r], shards[r], dh);
    g.ranks[r].w_q = std::move(attention.w_q);
    g.ranks[r].w_k = std::move(attention.w_k);
    g.ranks[r].w_v = std::move(attention.w_v);
    g.ranks[r].w_o = std::move(attention.w_o);
    partials.push_back(std::move(attention.n1));
  }
  const NormBackward<S> norm_1 = rms_norm_backward(
      x, w.gamma_1, all_reduce(partials, fault == TrainingFault::skip_attention_grad_rank), fault);
  g.gamma_1 = gamma_gradient(norm_1, x, w.gamma_1, partials, fault);
  g.x = dh + norm_1.input;
  return g;
}

// ---- D replicas x T ranks, reduced and assembled into full matrices. ----

// The gradient all-reduce over replicas of one tensor (`part` picks it out of a replica's gradients).
template <class S, class Part>
Matrix<S> replica_all_reduce(const std::vector<ReplicaGradients<S>>& replicas, TrainingFault fault, Part part) {
  std::vector<Matrix<S>> partials;
  partials.reserve(replicas.size());
  for (const ReplicaGradients<S>& replica : replicas) partials.push_back(part(replica));
  Matrix<S> sum = all_reduce(partials, fault == TrainingFault::drop_replica);
  if (fault == TrainingFault::average_replicas) sum /= static_cast<S>(replicas.size());
  return sum;
}

template <class S>
Gradients<S> split_gradients(const Weights<S>& w, const Dims& d, const Matrix<S>& x, const Matrix<S>& dy,
                             int degree, int replica_count, TrainingFault fault) {
  const Index hd = d.head_dim;
  std::vector<RankShard<S>> shards;  // every replica holds the same shards of the same weights
  for (const RankLayout& layout : tensor_layer::rank_layouts(d, degree)) {
    shards.push_back(tensor_layer::take_shard(w, d, layout));
  }
  std::vector<ReplicaGradients<S>> replicas;
  Gradients<S> g;
  g.x.resize(x.rows(), x.cols());
  for (const Range& sequences : balanced_split(x.rows() / d.seq, replica_count)) {
    const Index first = sequences.begin * d.seq;
    const Index rows = sequences.size * d.seq;
    const Matrix<S> replica_x = x.middleRows(first, rows);
    const ShardedActivations<S> a = tensor_layer::sharded_layer(shards, w, d, replica_x);
    replicas.push_back(sharded_backward(shards, w, d, replica_x, a, Matrix<S>(dy.middleRows(first, rows)), fault));
    g.x.middleRows(first, rows) = replicas.back().x;  // dX is the replica's own: no all-reduce
  }
  g.gamma_1 = replica_all_reduce(replicas, fault, [](const ReplicaGradients<S>& e) { return e.gamma_1; });
  g.gamma_2 = replica_all_reduce(replicas, fault, [](const ReplicaGradients<S>& e) { return e.gamma_2; });

  // Rank by rank: all-reduce its shards over the replicas (rank r of every replica), then place them.
  g.w_q.resize(w.w_q.rows(), w.w_q.cols());
  g.w_o.resize(w.w_o.rows(), w.w_o.cols());
  g.w_gate.resize(w.w_gate.rows(), w.w_gate.cols());
  g.w_up.resize(w.w_up.rows(), w.w_up.cols());
  g.w_down.resize(w.w_down.rows(), w.w_down.cols());
  g.w_k.resize(w.w_k.rows(), w.w_k.cols());
  g.w_v.resize(w.w_v.rows(), w.w_v.cols());
  std::vector<int> kv_holders(static_cast<std::size_t>(d.kv_heads), 0);  // ranks seen so far, per KV head
  for (std::size_t r = 0; r < shards.size(); ++r) {
    const RankLayout& l = shards[r].layout;
    const auto reduced = [&](Matrix<S> RankGradients<S>::*field) {
      return replica_all_reduce(replicas, fault, [&](const ReplicaGradients<S>& e) { return e.ranks[r].*field; });
    };
    g.w_q.middleCols(l.q_begin * hd, l.q_count * hd) = reduced(&RankGradients<S>::w_q);
    g.w_o.middleRows(l.q_begin * hd, l.q_count * hd) = reduced(&RankGradients<S>::w_o);
    g.w_gate.middleCols(l.ff.begin, l.ff.size) = reduced(&RankGradients<S>::w_gate);
    g.w_up.middleCols(l.ff.begin, l.ff.size) = reduced(&RankGradients<S>::w_up);
    g.w_down.middleRows(l.ff.begin, l.ff.size) = reduced(&RankGradients<S>::w_down);
    // A KV head held by several ranks (T > kv_heads): the all-reduce among them sums their partials, in rank
    // order. unsummed_kv_heads keeps the first rank's partial only.
    const Matrix<S> k = reduced(&RankGradients<S>::w_k);
    const Matrix<S> v = reduced(&RankGradients<S>::w_v);
    for (Index j = 0; j < l.kv_count; ++j) {
      const Index head = l.kv_begin + j;
      if (kv_holders[static_cast<std::size_t>(head)]++ == 0) {
        g.w_k.middleCols(head * hd, hd) = k.middleCols(j * hd, hd);
        g.w_v.middleCols(head * hd, hd) = v.middleCols(j * hd, hd);
      } else if (fault != TrainingFault::unsummed_kv_heads) {
        g.w_k.middleCols(head * hd, hd) += k.middleCols(j * hd, hd);
        g.w_v.middleCols(head * hd, hd) += v.middleCols(j * hd, hd);
      }
    }
  }
  return g;
}

// The data of the step, drawn in double (the float runs round it once).
struct Inputs {
  Weights<double> w;
  Matrix<double> x, dy;
};

// The step in precision S, on one machine and split: the single machine's gradients, and the split's relative
// error per tensor.
template <class S>
struct Comparison {
  Gradients<S> single;
  std::array<double, kTensors> errors{};
};

template <class S>
Comparison<S> compare(const Inputs& in, const Dims& d, int degree, int replicas, TrainingFault fault) {
  const Weights<S> w = in.w.template cast<S>();
  const Matrix<S> x = in.x.template cast<S>();
  const Matrix<S> dy = in.dy.template cast<S>();
  Comparison<S> c;
  c.single = single_backward(w, d, x, tensor_layer::single_layer(w, d, x), dy, fault);
  const Gradients<S> split = split_gradients(w, d, x, dy, degree, replicas, fault);
  const auto reference = tensors(c.single);
  const auto actual = tensors(split);
  for (std::size_t i = 0; i < kTensors; ++i) c.errors[i] = tensor_layer::relative_error(*actual[i], *reference[i]);
  return c;
}

double loss(const Weights<double>& w, const Dims& d, const Matrix<double>& x, const Matrix<double>& dy) {
  return tensor_layer::single_layer(w, d, x).y.cwiseProduct(dy).sum();
}

// The storage of each tensor of the step, in the order of kTensorNames (Eigen's column-major order: any fixed
// order serves, the gradients share it).
std::array<Eigen::Map<Eigen::VectorXd>, kTensors> parameters(Weights<double>& w, Matrix<double>& x) {
  const auto view = [](auto& m) { return Eigen::Map<Eigen::VectorXd>(m.data(), m.size()); };
  return {view(x),      view(w.w_q),  view(w.w_k),    view(w.w_v),     view(w.w_o),
          view(w.w_gate), view(w.w_up), view(w.w_down), view(w.gamma_1), view(w.gamma_2)};
}

// For each tensor, the largest |fd - g| / max(|g|, rms(g)) over `samples` entries at (2k + 1) / (2 samples) of its
// storage, k = 0..samples-1 (spread over rows and columns alike).
std::array<double, kTensors> finite_difference_errors(Inputs in, const Dims& d, const Gradients<double>& hand,
                                                      int samples) {
  std::array<double, kTensors> errors{};
  if (samples == 0) return errors;
  auto values = parameters(in.w, in.x);
  const auto gradients = tensors(hand);
  for (std::size_t i = 0; i < kTensors; ++i) {
    Eigen::Map<Eigen::VectorXd>& theta = values[i];
    const Matrix<double>& g = *gradients[i];
    const double value_rms = theta.norm() / std::sqrt(static_cast<double>(theta.size()));
    const double gradient_rms = g.norm() / std::sqrt(static_cast<double>(g.size()));
    for (int k = 0; k < samples; ++k) {
      const Index at = (2 * k + 1) * theta.size() / (2 * static_cast<Index>(samples));
      const double original = theta(at);
      const double h = 1e-6 * std::max(std::abs(original), value_rms);
      const double plus = original + h;
      const double minus = original - h;
      theta(at) = plus;
      const double loss_plus = loss(in.w, d, in.x, in.dy);
      theta(at) = minus;
      const double loss_minus = loss(in.w, d, in.x, in.dy);
      theta(at) = original;
      const double fd = (loss_plus - loss_minus) / (plus - minus);  // the step actually taken, after rounding
      const double analytic = g.data()[at];
      const double error = std::abs(fd - analytic) / std::max(std::abs(analytic), gradient_rms);
      if (!(error <= errors[i])) errors[i] = error;  // lets a NaN through
    }
  }
  return errors;
}


void raise_max(double& max, double value) {
  if (!(value <= max)) max = value;  // lets a NaN through
}

}  // namespace

bool within(const TrainingCheckResult& r, const TrainingTolerance& t) {
  return r.max_float_error < t.float32 && r.max_double_error < t.float64 &&
         r.max_finite_difference_error < t.finite_difference;
}

std::string training_degree_problem(const TrainingCheckOptions& o, int tensor_degree, int replicas) {
  if (o.d_model < 1 || o.heads < 1 || o.kv_heads < 1 || o.head_dim < 1 || o.d_ff < 1 || o.seq < 1 ||
      o.batch < 1 || o.finite_difference_samples < 0) {
    return "d_model, heads, kv_heads, head_dim, d_ff, seq and batch must be positive, finite_difference_samples "
           "not negative";
  }
  TensorCheckOptions layer;
  layer.d_model = o.d_model;
  layer.heads = o.heads;
  layer.kv_heads = o.kv_heads;
  layer.head_dim = o.head_dim;
  layer.d_ff = o.d_ff;
  layer.seq = o.seq;
  layer.iterations = 1;
  if (std::string problem = tensor_degree_problem(layer, tensor_degree); !problem.empty()) return problem;
  std::string d = "the data-parallel degree ";
  d += concat("(", replicas, ")");
  if (replicas < 1) return d + " must be at least 1";
  if (o.batch < replicas) {
    std::string problem = "batch ";
    problem += concat("(", o.batch, ")");
    problem += " must be at least ";
    problem += d;
    return problem;
  }
  return {};
}

TrainingCheckResult check_training_step(const TrainingCheckOptions& options, int tensor_degree, int replicas,
                                        TrainingFault fault) {
  if (const std::string problem = training_degree_problem(options, tensor_degree, replicas); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  const Dims d{options.d_model, options.heads, options.kv_heads, options.head_dim, options.d_ff, options.seq};
  NormalStream normals(options.seed);
  Inputs in;
  in.w = tensor_layer::draw_weights(d, normals);
  in.x = tensor_layer::random_matrix(normals, options.batch * d.seq, d.d_model, 1.0);
  in.dy = tensor_layer::random_matrix(normals, options.batch * d.seq, d.d_model, 1.0);

  const Comparison<float> in_float = compare<float>(in, d, tensor_degree, replicas, fault);
  const Comparison<double> in_double = compare<double>(in, d, tensor_degree, replicas, fault);
  const auto fd_errors = finite_difference_errors(in, d, in_double.single, options.finite_difference_samples);

  TrainingCheckResult result;
  result.loss = loss(in.w, d, in.x, in.dy);
  for (std::size_t i = 0; i < kTensors; ++i) {
    result.tensors.push_back({kTensorNames[i], in_float.errors[i], in_double.errors[i], fd_errors[i]});
    raise_max(result.max_float_error, in_float.errors[i]);
    raise_max(result.max_double_error, in_double.errors[i]);
    raise_max(result.max_finite_difference_error, fd_errors[i]);
  }
  return result;
}

}  // namespace shardsim::verify
