#include "shardsim/workload/transformer_spec.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "shardsim/util/error.hpp"

namespace shardsim::workload {
namespace {

// 64-bit arithmetic that throws instead of wrapping (a 405B prefill of 131072 tokens x 64 sequences is
// about 1.1e19 FLOP, beyond int64).
std::int64_t mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    throw InternalError("transformer cost: " + std::to_string(a) + " * " + std::to_string(b) +
                        " overflows 64 bits");
  }
  return r;
}
std::int64_t mul(std::int64_t a, std::int64_t b, std::int64_t c) { return mul(mul(a, b), c); }
std::int64_t add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    throw InternalError("transformer cost: " + std::to_string(a) + " + " + std::to_string(b) +
                        " overflows 64 bits");
  }
  return r;
}
Bytes add(Bytes a, Bytes b) { return Bytes{add(a.count, b.count)}; }
Bytes mul(Bytes a, std::int64_t k) { return Bytes{mul(a.count, k)}; }

void require_valid(const TransformerSpec& spec) {
  const std::vector<SpecProblem> problems = validate(spec);
  if (!problems.empty()) {
    throw InternalError("transformer spec: " + problems.front().key + ": " + problems.front().message);
  }
}

LinearParams linear(const TransformerSpec& spec, std::int64_t in, std::int64_t out, bool bias_allowed) {
  return LinearParams{mul(in, out), spec.linear_biases && bias_allowed ? out : 0};
}

std::int64_t norm_params(const TransformerSpec& spec) {
  // LayerNorm: gain and bias per channel; RMSNorm: gain only.
  return spec.norm == NormKind::layer_norm ? 2 * spec.d_model : spec.d_model;
}

// Bytes of a linear layer's parameters: `out` rows of `in` weights, and the bias vector.
Bytes linear_bytes(const TransformerSpec& spec, std::int64_t in, std::int64_t out, bool bias_allowed) {
  Bytes b = hw::bytes_for_rows(spec.weight_format, out, in);
  if (spec.linear_biases && bias_allowed) b = add(b, hw::bytes_for(spec.weight_format, out));
  return b;
}

// Activation bytes of `rows` rows of `width` values.
Bytes act(const TransformerSpec& spec, std::int64_t rows, std::int64_t width) {
  return hw::bytes_for_rows(spec.activation_format, rows, width);
}

// Bytes of the causal lower triangle of one head's scores over `p` positions, stored as rows of 1, 2, ..., p
// values: sum over i = 1..p of hw::bytes_for(i). With B values per block, rows i in (qB, (q+1)B] take q+1 blocks,
// so with m = p / B and r = p % B the sum is B * (1 + ... + m) + r * (m + 1) = B m (m+1) / 2 + r (m+1) blocks.
Bytes causal_scores_bytes(hw::NumberFormat format, std::int64_t p) {
  const std::int64_t per = hw::block_values(format);
  const std::int64_t m = p / per;
  const std::int64_t r = p % per;
  const std::int64_t blocks = add(mul(per, m, m + 1) / 2, mul(r, m + 1));
  return Bytes{mul(blocks, hw::block_bytes(format))};
}

// A linear layer in -> out applied to `rows` activation rows, with the weights of `copies` experts (1 for
// a dense layer) read once each: rows * (2 in out + out if biased) FLOP; reads the weights and the rows,
// writes `rows` rows of `out` values (or `written` when the output goes elsewhere, e.g. the KV cache). Its
// arithmetic is the weights' format's dot product (a node may rate it apart from its generic FLOP rate).
OpCost linear_op(const TransformerSpec& spec, std::string name, std::int64_t rows, std::int64_t in,
                 std::int64_t out, bool bias_allowed, std::int64_t copies = 1,
                 std::optional<Bytes> written = std::nullopt) {
  const std::int64_t per_row = add(mul(2, in, out), spec.linear_biases && bias_allowed ? out : 0);
  const Bytes weights = mul(linear_bytes(spec, in, out, bias_allowed), copies);
  return OpCost{std::move(name), Flop{mul(rows, per_row)}, add(weights, act(spec, rows, in)),
                written ? *written : act(spec, rows, out), weights, spec.weight_format, rows};
}

// The layer ops shared by decode and prefill. `tokens` rows per sequence go through the matmuls; `keys` is
// the number of cached positions the attention reads per sequence (context, or the prompt); `score_bytes`
// one head's scores of one sequence; `scores` the number of scores per head and sequence.
std::vector<OpCost> layer_ops(const TransformerSpec& spec, std::int64_t batch, std::int64_t tokens,
                              std::int64_t keys, std::int64_t scores, Bytes score_bytes) {
  const std::int64_t rows = mul(batch, tokens);
  const std::int64_t d = spec.d_model;
  const std::int64_t hd = spec.resolved_head_dim();
  const std::int64_t heads = spec.heads;
  const std::int64_t kv_heads = spec.resolved_kv_heads();
  const std::int64_t qw = spec.q_width();
  const std::int64_t kvw = spec.kv_width();
  // New K and V entries, written to the cache: rows * kv_heads rows of head_dim values.
  const Bytes new_kv = hw::bytes_for_rows(spec.kv_format, mul(rows, kv_heads), hd);
  // The cache one attention op reads (K or V): per sequence keys * kv_heads rows of head_dim values.
  const Bytes cache = mul(hw::bytes_for_rows(spec.kv_format, mul(keys, kv_heads), hd), batch);
  // All heads' scores (and probabilities) of all sequences.
  const Bytes all_scores = mul(score_bytes, mul(batch, heads));
  const std::int64_t score_count = mul(batch, heads, scores);

  std::vector<OpCost> ops;
  ops.push_back(linear_op(spec, "q_proj", rows, d, qw, true));
  ops.push_back(linear_op(spec, "k_proj", rows, d, kvw, true, 1, new_kv));
  ops.push_back(linear_op(spec, "v_proj", rows, d, kvw, true, 1, new_kv));
  // Scores: each of a head's scores is a dot product of head_dim: 2 * head_dim FLOP. Reads Q and the K cache.
  ops.push_back(OpCost{"attn_scores", Flop{mul(score_count, 2 * hd)}, add(act(spec, rows, qw), cache),
                       all_scores, Bytes{0}});
  ops.back().kv_cache_bytes = cache;
  ops.push_back(OpCost{"attn_softmax", Flop{mul(score_count, kSoftmaxFlopsPerScore)}, all_scores, all_scores,
                       Bytes{0}});
  // Weighted sum: each probability scales a V row of head_dim and adds it: 2 * head_dim FLOP.
  ops.push_back(OpCost{"attn_values", Flop{mul(score_count, 2 * hd)}, add(all_scores, cache),
                       act(spec, rows, qw), Bytes{0}});
  ops.back().kv_cache_bytes = cache;
  ops.push_back(linear_op(spec, "o_proj", rows, qw, d, true));
  if (spec.has_router()) ops.push_back(linear_op(spec, "router", rows, d, spec.experts, false));
  // Each token runs experts_per_token experts: rows * experts_per_token token-expert pairs, touching at most
  // min(experts, pairs) experts' weights.
  const std::int64_t pairs = mul(rows, spec.experts_per_token);
  const std::int64_t touched = std::min(spec.experts, pairs);
  if (spec.mlp == MlpKind::swiglu) {
    ops.push_back(linear_op(spec, "mlp_gate", pairs, d, spec.d_ff, true, touched));
  }
  ops.push_back(linear_op(spec, "mlp_up", pairs, d, spec.d_ff, true, touched));
  ops.push_back(linear_op(spec, "mlp_down", pairs, spec.d_ff, d, true, touched));
  // The kernel a node runs is chosen by the rows each weight matrix multiplies: the pairs spread over the touched
  // experts (one token's 2 experts are two matrix-vector products, not one matrix-matrix product).
  const std::int64_t rows_per_expert = (pairs + touched - 1) / touched;
  for (std::size_t i = ops.size() - (spec.mlp == MlpKind::swiglu ? 3 : 2); i < ops.size(); ++i) {
    ops[i].rows = rows_per_expert;
  }
  return ops;
}

// Embedding lookup of `rows` tokens: reads one row of the token table per token (and one of the position
// table, if any), writes the rows. No FLOP counted (the position add is elementwise).
OpCost embed_op(const TransformerSpec& spec, std::int64_t rows) {
  Bytes read = hw::bytes_for_rows(spec.weight_format, rows, spec.d_model);
  if (spec.learned_positions) read = mul(read, 2);
  return OpCost{"embed", Flop{0}, read, act(spec, rows, spec.d_model), read};
}

// The LM head on `rows` rows: d_model -> vocab, never biased (the tied case reads the token embedding,
// the same vocab rows of d_model values).
OpCost lm_head_op(const TransformerSpec& spec, std::int64_t rows) {
  return linear_op(spec, "lm_head", rows, spec.d_model, spec.vocab, false);
}

template <class Field>
std::int64_t sum_ops(const PassCost& p, Field field) {
  std::int64_t layer = 0;
  for (const OpCost& op : p.layer) layer = add(layer, field(op));
  std::int64_t total = mul(layer, p.layers);
  for (const OpCost& op : p.pre) total = add(total, field(op));
  for (const OpCost& op : p.post) total = add(total, field(op));
  return total;
}

}  // namespace

std::string_view to_string(MlpKind kind) {
  switch (kind) {
    case MlpKind::gelu: return "gelu";
    case MlpKind::swiglu: return "swiglu";
  }
  return "?";
}

std::optional<MlpKind> parse_mlp_kind(std::string_view name) {
  for (MlpKind k : {MlpKind::gelu, MlpKind::swiglu}) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view to_string(NormKind kind) {
  switch (kind) {
    case NormKind::layer_norm: return "layer_norm";
    case NormKind::rms_norm: return "rms_norm";
  }
  return "?";
}

std::optional<NormKind> parse_norm_kind(std::string_view name) {
  for (NormKind k : {NormKind::layer_norm, NormKind::rms_norm}) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

std::vector<SpecProblem> validate(const TransformerSpec& spec) {
  std::vector<SpecProblem> out;
  const auto positive = [&](const char* key, std::int64_t v) {
    if (v < 1) out.push_back({key, std::string(key) + " must be at least 1, not " + std::to_string(v)});
  };
  positive("vocab", spec.vocab);
  positive("d_model", spec.d_model);
  positive("layers", spec.layers);
  positive("heads", spec.heads);
  positive("d_ff", spec.d_ff);
  positive("experts", spec.experts);
  positive("experts_per_token", spec.experts_per_token);
  positive("max_context", spec.max_context);
  if (spec.kv_heads < 0) {
    out.push_back({"kv_heads", "kv_heads must be at least 1 (or 0 for as many as heads), not " +
                                   std::to_string(spec.kv_heads)});
  } else if (spec.heads >= 1 && spec.kv_heads > 0 && spec.heads % spec.kv_heads != 0) {
    out.push_back({"kv_heads", "heads (" + std::to_string(spec.heads) + ") must be a multiple of kv_heads (" +
                                   std::to_string(spec.kv_heads) + ")"});
  }
  if (spec.head_dim < 0) {
    out.push_back({"head_dim", "head_dim must be at least 1 (or 0 for d_model / heads), not " +
                                   std::to_string(spec.head_dim)});
  } else if (spec.head_dim == 0 && spec.heads >= 1 && spec.d_model >= 1 && spec.d_model % spec.heads != 0) {
    out.push_back({"head_dim", "d_model (" + std::to_string(spec.d_model) + ") is not a multiple of heads (" +
                                   std::to_string(spec.heads) + "): give head_dim"});
  }
  if (spec.experts >= 1 && spec.experts_per_token > spec.experts) {
    out.push_back({"experts_per_token", "experts_per_token (" + std::to_string(spec.experts_per_token) +
                                            ") exceeds experts (" + std::to_string(spec.experts) + ")"});
  }
  return out;
}

std::int64_t ParamCounts::layer_total() const {
  return add(add(attention_per_layer(), mul(experts, mlp_per_expert())), add(router.total(), layer_norms));
}

std::int64_t ParamCounts::layer_active() const {
  return add(add(attention_per_layer(), mul(experts_per_token, mlp_per_expert())),
             add(router.total(), layer_norms));
}

std::int64_t ParamCounts::total() const {
  return add(add(mul(layers, layer_total()), add(token_embedding, position_embedding)),
             add(final_norm, lm_head.total()));
}

std::int64_t ParamCounts::active_per_token() const {
  return add(add(mul(layers, layer_active()), add(token_embedding, position_embedding)),
             add(final_norm, lm_head.total()));
}

std::int64_t ParamCounts::active_matmul_weights() const {
  const std::int64_t attention = q.weights + k.weights + v.weights + o.weights;
  const std::int64_t mlp = mlp_gate.weights + mlp_up.weights + mlp_down.weights;
  const std::int64_t layer = add(add(attention, mul(experts_per_token, mlp)), router.weights);
  // The LM head multiplies by vocab x d_model weights whether they are its own or the token embedding's.
  const std::int64_t head = lm_head.weights > 0 ? lm_head.weights : token_embedding;
  return add(mul(layers, layer), head);
}

std::int64_t ParamCounts::active_biases() const {
  const std::int64_t attention = q.biases + k.biases + v.biases + o.biases;
  const std::int64_t mlp = mlp_gate.biases + mlp_up.biases + mlp_down.biases;
  return mul(layers, add(attention, mul(experts_per_token, mlp)));
}

ParamCounts param_counts(const TransformerSpec& spec) {
  require_valid(spec);
  const std::int64_t d = spec.d_model;
  ParamCounts p;
  p.layers = spec.layers;
  p.experts = spec.experts;
  p.experts_per_token = spec.experts_per_token;
  p.q = linear(spec, d, spec.q_width(), true);
  p.k = linear(spec, d, spec.kv_width(), true);
  p.v = linear(spec, d, spec.kv_width(), true);
  p.o = linear(spec, spec.q_width(), d, true);
  if (spec.mlp == MlpKind::swiglu) p.mlp_gate = linear(spec, d, spec.d_ff, true);
  p.mlp_up = linear(spec, d, spec.d_ff, true);
  p.mlp_down = linear(spec, spec.d_ff, d, true);
  if (spec.has_router()) p.router = linear(spec, d, spec.experts, false);
  p.layer_norms = 2 * norm_params(spec);
  p.token_embedding = mul(spec.vocab, d);
  p.position_embedding = spec.learned_positions ? mul(spec.max_context, d) : 0;
  p.final_norm = norm_params(spec);
  if (!spec.tied_embeddings) p.lm_head = linear(spec, d, spec.vocab, false);
  return p;
}

Bytes expert_weight_bytes(const TransformerSpec& spec) {
  require_valid(spec);
  Bytes b = add(linear_bytes(spec, spec.d_model, spec.d_ff, true), linear_bytes(spec, spec.d_ff, spec.d_model, true));
  if (spec.mlp == MlpKind::swiglu) b = add(b, linear_bytes(spec, spec.d_model, spec.d_ff, true));
  return b;
}

Bytes layer_weight_bytes(const TransformerSpec& spec) {
  require_valid(spec);
  const std::int64_t d = spec.d_model;
  Bytes b = add(linear_bytes(spec, d, spec.q_width(), true), linear_bytes(spec, spec.q_width(), d, true));
  b = add(b, mul(linear_bytes(spec, d, spec.kv_width(), true), 2));
  b = add(b, mul(expert_weight_bytes(spec), spec.experts));
  if (spec.has_router()) b = add(b, linear_bytes(spec, d, spec.experts, false));
  // Two norms, each one vector (RMSNorm: gain) or two (LayerNorm: gain and bias) of d_model.
  return add(b, mul(hw::bytes_for(spec.weight_format, d), 2 * (norm_params(spec) / d)));
}

Bytes weight_bytes(const TransformerSpec& spec) {
  const std::int64_t d = spec.d_model;
  Bytes b = mul(layer_weight_bytes(spec), spec.layers);
  b = add(b, hw::bytes_for_rows(spec.weight_format, spec.vocab, d));
  if (spec.learned_positions) b = add(b, hw::bytes_for_rows(spec.weight_format, spec.max_context, d));
  b = add(b, mul(hw::bytes_for(spec.weight_format, d), norm_params(spec) / d));
  if (!spec.tied_embeddings) b = add(b, linear_bytes(spec, d, spec.vocab, false));
  return b;
}

Bytes kv_bytes_per_token_per_layer(const TransformerSpec& spec) {
  require_valid(spec);
  return mul(hw::bytes_for_rows(spec.kv_format, spec.resolved_kv_heads(), spec.resolved_head_dim()), 2);
}

Bytes kv_bytes_per_token(const TransformerSpec& spec) {
  return mul(kv_bytes_per_token_per_layer(spec), spec.layers);
}

Flop PassCost::flops() const { return Flop{sum_ops(*this, [](const OpCost& o) { return o.flops.count; })}; }
Bytes PassCost::bytes_read() const {
  return Bytes{sum_ops(*this, [](const OpCost& o) { return o.bytes_read.count; })};
}
Bytes PassCost::bytes_written() const {
  return Bytes{sum_ops(*this, [](const OpCost& o) { return o.bytes_written.count; })};
}
Bytes PassCost::weight_bytes() const {
  return Bytes{sum_ops(*this, [](const OpCost& o) { return o.weight_bytes.count; })};
}

const OpCost* PassCost::find(std::string_view name) const {
  for (const std::vector<OpCost>* list : {&pre, &layer, &post}) {
    for (const OpCost& op : *list) {
      if (op.name == name) return &op;
    }
  }
  return nullptr;
}

PassCost decode_step(const TransformerSpec& spec, std::int64_t context, std::int64_t batch) {
  require_valid(spec);
  require(context >= 1, "decode_step: context must be at least 1");
  require(batch >= 1, "decode_step: batch must be at least 1");
  PassCost p;
  p.layers = spec.layers;
  p.pre.push_back(embed_op(spec, batch));
  // One new token per sequence, attending to `context` positions: one row of `context` scores per head.
  p.layer = layer_ops(spec, batch, 1, context, context, hw::bytes_for(spec.activation_format, context));
  p.post.push_back(lm_head_op(spec, batch));
  return p;
}

PassCost prefill(const TransformerSpec& spec, std::int64_t prompt, std::int64_t batch) {
  require_valid(spec);
  require(prompt >= 1, "prefill: prompt must be at least 1");
  require(batch >= 1, "prefill: batch must be at least 1");
  PassCost p;
  p.layers = spec.layers;
  p.pre.push_back(embed_op(spec, mul(batch, prompt)));
  // Position i (1-based) attends to positions 1..i: prompt (prompt + 1) / 2 scores per head and sequence.
  const std::int64_t scores = mul(prompt, prompt + 1) / 2;
  p.layer = layer_ops(spec, batch, prompt, prompt, scores, causal_scores_bytes(spec.activation_format, prompt));
  p.post.push_back(lm_head_op(spec, batch));
  return p;
}

Flop decode_flops(const TransformerSpec& spec, std::int64_t context, std::int64_t batch) {
  const ParamCounts pc = param_counts(spec);
  const std::int64_t per_score = 4 * spec.resolved_head_dim() + kSoftmaxFlopsPerScore;
  const std::int64_t attention = mul(mul(spec.layers, spec.heads), mul(context, per_score));
  const std::int64_t per_token = add(add(mul(2, pc.active_matmul_weights()), pc.active_biases()), attention);
  return Flop{mul(batch, per_token)};
}

Flop prefill_flops(const TransformerSpec& spec, std::int64_t prompt, std::int64_t batch) {
  const ParamCounts pc = param_counts(spec);
  const std::int64_t head = mul(spec.vocab, spec.d_model);
  const std::int64_t per_token = add(mul(2, pc.active_matmul_weights() - head), pc.active_biases());
  const std::int64_t per_score = 4 * spec.resolved_head_dim() + kSoftmaxFlopsPerScore;
  const std::int64_t attention = mul(mul(spec.layers, spec.heads), mul(mul(prompt, prompt + 1) / 2, per_score));
  const std::int64_t per_sequence = add(add(mul(prompt, per_token), mul(2, head)), attention);
  return Flop{mul(batch, per_sequence)};
}

}  // namespace shardsim::workload
