#include "shardsim/workload/training_cost.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "shardsim/util/error.hpp"

namespace shardsim::workload {
namespace {

// 64-bit arithmetic that throws instead of wrapping, as transformer_spec.cpp's (a step of a large model over
// millions of tokens nears 2^63 FLOP).
std::int64_t mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    std::string msg = "training cost: ";
    msg += std::to_string(a);
    msg += " * ";
    msg += std::to_string(b);
    msg += " overflows 64 bits";
    throw InternalError(msg);
  }
  return r;
}
std::int64_t mul(std::int64_t a, std::int64_t b, std::int64_t c) { return mul(mul(a, b), c); }
std::int64_t add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    std::string msg = "training cost: ";
    msg += std::to_string(a);
    msg += " + ";
    msg += std::to_string(b);
    msg += " overflows 64 bits";
    throw InternalError(msg);
  }
  return r;
}
Bytes add(Bytes a, Bytes b) { return Bytes{add(a.count, b.count)}; }
Bytes mul(Bytes a, std::int64_t k) { return Bytes{mul(a.count, k)}; }

// Activations (and the gradients flowing backward): `rows` rows of `width` values.
Bytes act(const TransformerSpec& spec, std::int64_t rows, std::int64_t width) {
  return hw::bytes_for_rows(spec.activation_format, rows, width);
}

// A linear layer's matrix, `out` rows of `in` weights, and its parameters with the bias (as the forward reads
// them, transformer_spec.cpp).
Bytes matrix_bytes(const TransformerSpec& spec, std::int64_t in, std::int64_t out) {
  return hw::bytes_for_rows(spec.weight_format, out, in);
}
bool biased(const TransformerSpec& spec, bool bias_allowed) { return spec.linear_biases && bias_allowed; }
Bytes param_bytes(const TransformerSpec& spec, std::int64_t in, std::int64_t out, bool bias_allowed) {
  Bytes b = matrix_bytes(spec, in, out);
  if (biased(spec, bias_allowed)) b = add(b, hw::bytes_for(spec.weight_format, out));
  return b;
}

// One linear layer as its backward sees it: `rows` rows in -> out with `copies` experts' weights (1 for a dense
// layer); `dy` the bytes of its output's gradient, stored like its output.
struct LinearGrad {
  std::string name;
  std::int64_t rows = 0;
  std::int64_t in = 0;
  std::int64_t out = 0;
  bool bias_allowed = true;
  std::int64_t copies = 1;
  Bytes dy;
};

// grad_input (dX = dY W^T) and grad_weight (dW = X^T dY, db = column sums of dY), each the forward's matmul.
void push_linear_grads(std::vector<OpCost>& ops, const TransformerSpec& spec, const LinearGrad& l) {
  const std::int64_t matmul = mul(l.rows, mul(2, l.in, l.out));
  const Bytes matrices = mul(matrix_bytes(spec, l.in, l.out), l.copies);
  const Bytes x = act(spec, l.rows, l.in);  // X, or dX: rows x in either way
  ops.push_back(OpCost{l.name + ".grad_input", Flop{matmul}, add(l.dy, matrices), x, matrices});
  const std::int64_t bias_flops = biased(spec, l.bias_allowed) ? mul(l.rows, l.out) : 0;
  ops.push_back(OpCost{l.name + ".grad_weight", Flop{add(matmul, bias_flops)}, add(x, l.dy),
                       mul(param_bytes(spec, l.in, l.out, l.bias_allowed), l.copies), Bytes{0}});
}

const OpCost& forward_op(const PassCost& forward, std::string_view name) {
  const OpCost* op = forward.find(name);
  require(op != nullptr, "training cost: the forward pass lacks an op the backward needs");
  return *op;
}

// The forward: prefill's embed and layers, then the LM head on every row and the loss.
PassCost forward_pass(const TransformerSpec& spec, std::int64_t batch, std::int64_t seq) {
  PassCost p = prefill(spec, seq, batch);
  const std::int64_t rows = mul(batch, seq);
  const std::int64_t d = spec.d_model;
  const std::int64_t v = spec.vocab;
  const Bytes head = matrix_bytes(spec, d, v);  // its own matrix, or the tied embedding: vocab rows of d_model
  p.post.clear();
  p.post.push_back(OpCost{"lm_head", Flop{mul(rows, mul(2, d, v))}, add(head, act(spec, rows, d)), act(spec, rows, v),
                          head});
  // Reads the logits; writes the probabilities and one loss value per row.
  p.post.push_back(OpCost{"loss", Flop{mul(rows, v, kLossFlopsPerLogit)}, act(spec, rows, v),
                          add(act(spec, rows, v), hw::bytes_for(spec.activation_format, rows)), Bytes{0}});
  return p;
}

PassCost backward_pass(const TransformerSpec& spec, const PassCost& fwd, std::int64_t batch, std::int64_t seq) {
  const std::int64_t rows = mul(batch, seq);
  const std::int64_t d = spec.d_model;
  const std::int64_t vocab = spec.vocab;
  const std::int64_t hd = spec.resolved_head_dim();
  const std::int64_t qw = spec.q_width();
  const std::int64_t kvw = spec.kv_width();
  const std::int64_t pairs = mul(rows, spec.experts_per_token);
  const std::int64_t touched = std::min(spec.experts, pairs);
  const std::int64_t score_count = mul(mul(batch, spec.heads), mul(seq, seq + 1) / 2);

  // What the forward wrote and the backward reads back: the probabilities P (the causal triangle of every head
  // and sequence), K and V (kv_format), Q and the attention output O (rows x q_width).
  const Bytes probs = forward_op(fwd, "attn_softmax").bytes_written;
  const Bytes k_bytes = forward_op(fwd, "k_proj").bytes_written;
  const Bytes v_bytes = forward_op(fwd, "v_proj").bytes_written;
  const Bytes q = act(spec, rows, qw);
  // The gradients flowing back are stored like what they are the gradient of, in activation_format.
  const Bytes d_scores = probs;  // dP and dS: the triangle, activation_format like P
  const Bytes d_kv = hw::bytes_for_rows(spec.activation_format, mul(rows, spec.resolved_kv_heads()), hd);

  PassCost p;
  p.layers = spec.layers;

  // Head: dlogits = P - onehot, then the LM head's two gradients.
  const Bytes logits = act(spec, rows, vocab);
  p.pre.push_back(OpCost{"loss.grad", Flop{mul(rows, vocab, kLossGradFlopsPerLogit)}, logits, logits, Bytes{0}});
  push_linear_grads(p.pre, spec, {"lm_head", rows, d, vocab, false, 1, logits});

  // Layer, in reverse: MLP, router, O, attention, V, K, Q.
  std::vector<OpCost>& ops = p.layer;
  push_linear_grads(ops, spec, {"mlp_down", pairs, spec.d_ff, d, true, touched, act(spec, pairs, d)});
  push_linear_grads(ops, spec, {"mlp_up", pairs, d, spec.d_ff, true, touched, act(spec, pairs, spec.d_ff)});
  if (spec.mlp == MlpKind::swiglu) {
    push_linear_grads(ops, spec, {"mlp_gate", pairs, d, spec.d_ff, true, touched, act(spec, pairs, spec.d_ff)});
  }
  if (spec.has_router()) {
    push_linear_grads(ops, spec, {"router", rows, d, spec.experts, false, 1, act(spec, rows, spec.experts)});
  }
  push_linear_grads(ops, spec, {"o_proj", rows, qw, d, true, 1, act(spec, rows, d)});
  // Every attention gradient is a matmul over the scores of the forward's size: 2 * head_dim FLOP per score.
  const Flop attn_matmul{mul(score_count, 2 * hd)};
  const Bytes d_out = act(spec, rows, qw);  // dO
  ops.push_back(OpCost{"attn_values.grad_p", attn_matmul, add(d_out, v_bytes), d_scores, Bytes{0}});
  ops.push_back(OpCost{"attn_values.grad_v", attn_matmul, add(probs, d_out), d_kv, Bytes{0}});
  ops.push_back(OpCost{"attn_softmax.grad", Flop{mul(score_count, kSoftmaxGradFlopsPerScore)}, add(probs, d_scores),
                       d_scores, Bytes{0}});
  ops.push_back(OpCost{"attn_scores.grad_q", attn_matmul, add(d_scores, k_bytes), q, Bytes{0}});
  ops.push_back(OpCost{"attn_scores.grad_k", attn_matmul, add(d_scores, q), d_kv, Bytes{0}});
  push_linear_grads(ops, spec, {"v_proj", rows, d, kvw, true, 1, d_kv});
  push_linear_grads(ops, spec, {"k_proj", rows, d, kvw, true, 1, d_kv});
  push_linear_grads(ops, spec, {"q_proj", rows, d, qw, true, 1, q});

  // Embedding: a read-modify-write of each token's row of the gradient table (and of its position's).
  const std::int64_t tables = spec.learned_positions ? 2 : 1;
  const Bytes grad_rows = mul(hw::bytes_for_rows(spec.weight_format, rows, d), tables);
  p.post.push_back(
      OpCost{"embed.grad", Flop{mul(rows, d, tables)}, add(act(spec, rows, d), grad_rows), grad_rows, Bytes{0}});
  return p;
}

}  // namespace

std::string_view to_string(Optimizer optimizer) {
  switch (optimizer) {
    case Optimizer::sgd: return "sgd";
    case Optimizer::momentum: return "momentum";
    case Optimizer::adam: return "adam";
  }
  return "?";
}

std::optional<Optimizer> parse_optimizer(std::string_view name) {
  if (name == "adamw") return Optimizer::adam;  // same state and, as counted here, the same update cost
  for (Optimizer o : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam}) {
    if (to_string(o) == name) return o;
  }
  return std::nullopt;
}

std::string_view to_string(Precision precision) {
  switch (precision) {
    case Precision::fp32: return "fp32";
    case Precision::mixed: return "mixed";
  }
  return "?";
}

std::optional<Precision> parse_precision(std::string_view name) {
  for (Precision p : {Precision::fp32, Precision::mixed}) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

hw::NumberFormat compute_format(Precision precision) {
  return precision == Precision::fp32 ? hw::NumberFormat::fp32 : hw::NumberFormat::bf16;
}

TransformerSpec with_compute_format(TransformerSpec spec, Precision precision) {
  const hw::NumberFormat f = compute_format(precision);
  spec.weight_format = f;
  spec.kv_format = f;
  spec.activation_format = f;
  return spec;
}

StateBytesPerParam state_bytes_per_param(const OptimizerSpec& optimizer) {
  StateBytesPerParam s;
  const bool mixed = optimizer.precision == Precision::mixed;
  s.weights = mixed ? 2 : 4;
  s.gradients = mixed ? 2 : 4;
  s.master = mixed ? 4 : 0;
  switch (optimizer.optimizer) {
    case Optimizer::sgd: s.moments = 0; break;
    case Optimizer::momentum: s.moments = 4; break;
    case Optimizer::adam: s.moments = 8; break;
  }
  return s;
}

std::optional<ZeroStage> zero_stage(std::int64_t stage) {
  if (stage < 0 || stage > 3) return std::nullopt;
  return static_cast<ZeroStage>(stage);
}

std::int64_t balanced_share(std::int64_t total, std::int64_t parts, std::int64_t index) {
  require(total >= 0, "balanced_share: total must be non-negative");
  require(parts >= 1, "balanced_share: parts must be at least 1");
  require(index >= 0 && index < parts, "balanced_share: index out of range");
  return total / parts + (index < total % parts ? 1 : 0);
}

TrainingState training_state(const OptimizerSpec& optimizer, std::int64_t params, ZeroStage stage,
                             std::int64_t data_parallel, std::int64_t rank) {
  require(params >= 0, "training_state: params must be non-negative");
  require(data_parallel >= 1, "training_state: data_parallel must be at least 1");
  require(rank >= 0 && rank < data_parallel, "training_state: rank out of range");
  const StateBytesPerParam per = state_bytes_per_param(optimizer);
  const std::int64_t share = balanced_share(params, data_parallel, rank);
  const auto held = [&](ZeroStage sharded_from) { return stage >= sharded_from ? share : params; };
  return TrainingState{Bytes{mul(held(ZeroStage::three), per.weights)},
                       Bytes{mul(held(ZeroStage::two), per.gradients)},
                       Bytes{mul(held(ZeroStage::one), per.optimizer())}};
}

std::int64_t optimizer_flops_per_param(Optimizer optimizer) {
  switch (optimizer) {
    case Optimizer::sgd: return 2;
    case Optimizer::momentum: return 4;
    case Optimizer::adam: return 12;
  }
  return 0;
}

OpCost optimizer_step(const OptimizerSpec& optimizer, std::int64_t params) {
  require(params >= 0, "optimizer_step: params must be non-negative");
  const StateBytesPerParam s = state_bytes_per_param(optimizer);
  // The fp32 values the update starts from: the master copy when there is one, else the weights.
  const std::int64_t fp32_weights = s.master > 0 ? s.master : s.weights;
  const Bytes read{mul(params, s.gradients + fp32_weights + s.moments)};
  const Bytes written{mul(params, s.weights + s.master + s.moments)};
  return OpCost{"optimizer", Flop{mul(params, optimizer_flops_per_param(optimizer.optimizer))}, read, written, read};
}

TrainingPass training_pass(const TransformerSpec& spec, std::int64_t batch, std::int64_t seq) {
  require(batch >= 1, "training_pass: batch must be at least 1");
  require(seq >= 1, "training_pass: seq must be at least 1");
  TrainingPass t;
  t.forward = forward_pass(spec, batch, seq);
  t.backward = backward_pass(spec, t.forward, batch, seq);
  return t;
}

Flop training_flops(const TransformerSpec& spec, std::int64_t batch, std::int64_t seq) {
  require(batch >= 1, "training_flops: batch must be at least 1");
  require(seq >= 1, "training_flops: seq must be at least 1");
  const ParamCounts pc = param_counts(spec);
  const std::int64_t rows = mul(batch, seq);
  std::int64_t per_row = add(mul(6, pc.active_matmul_weights()), mul(2, pc.active_biases()));
  per_row = add(per_row, mul(spec.vocab, kLossFlopsPerLogit + kLossGradFlopsPerLogit));
  per_row = add(per_row, mul(spec.d_model, spec.learned_positions ? 2 : 1));
  const std::int64_t per_score = 12 * spec.resolved_head_dim() + kSoftmaxFlopsPerScore + kSoftmaxGradFlopsPerScore;
  const std::int64_t attention =
      mul(mul(batch, spec.layers, spec.heads), mul(mul(seq, seq + 1) / 2, per_score));
  return Flop{add(mul(rows, per_row), attention)};
}

ActivationMemory activation_memory(const TransformerSpec& spec, std::int64_t batch, std::int64_t seq,
                                   bool recompute) {
  require(batch >= 1, "activation_memory: batch must be at least 1");
  require(seq >= 1, "activation_memory: seq must be at least 1");
  // What the forward writes is what it keeps: take the sizes from its ops.
  const PassCost fwd = forward_pass(spec, batch, seq);
  const std::int64_t rows = mul(batch, seq);
  const std::int64_t pairs = mul(rows, spec.experts_per_token);
  const Bytes input = act(spec, rows, spec.d_model);  // the layer input, and each norm's input and output
  const auto written = [&](std::string_view name) { return forward_op(fwd, name).bytes_written; };

  Bytes full = mul(input, 2);                                                    // attention norm in, out
  full = add(full, add(written("q_proj"), add(written("k_proj"), written("v_proj"))));  // Q, K, V
  full = add(full, written("attn_softmax"));                                     // P
  full = add(full, written("attn_values"));                                      // attention output
  full = add(full, mul(input, 2));                                               // MLP norm in, out
  if (spec.has_router()) full = add(full, add(written("router"), written("mlp_down")));  // logits, expert outputs
  if (spec.mlp == MlpKind::swiglu) full = add(full, written("mlp_gate"));         // gate output
  full = add(full, written("mlp_up"));                                           // up output
  full = add(full, act(spec, pairs, spec.d_ff));                                 // down's input

  ActivationMemory m;
  m.layers = spec.layers;
  m.per_layer = recompute ? input : full;
  m.working = recompute ? full - input : Bytes{0};
  // Final norm in and out; the logits and the probabilities.
  m.head = add(mul(input, 2), add(written("lm_head"), act(spec, rows, spec.vocab)));
  return m;
}

}  // namespace shardsim::workload
