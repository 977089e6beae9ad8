#pragma once
// A decoder-only transformer as its published config describes it (vocab, d_model, layers, heads, grouped-query
// KV heads, MLP kind and size, experts), and what one forward pass costs: parameters, weight and KV cache bytes,
// and per op the FLOPs and bytes read and written of a decode step or a prefill. Everything follows from the dims.
//
// Conventions (every count below is derived from them, nothing is fitted):
// - A linear layer in -> out holds in*out weights (+ out biases if the model has them). Applied to r rows it
//   costs r * (2 * in * out) FLOP (a multiply-add is two) + r * out (one add per bias).
// - Stored values: weights (and norms, biases, embeddings) in `weight_format`, K and V cache entries in
//   `kv_format`, every activation an op reads or writes (and sends over the network) in `activation_format`.
//   A matrix is stored as rows (a weight in -> out as `out` rows of `in` values; the cache as rows of head_dim
//   values; activations as one row per token), each row quantized on its own (number_format.hpp).
// - Every op reads each of its operands from RAM once and writes its result once (no fusion, no caching):
//   the attention is the naive three ops, scores -> softmax -> weighted sum, with the scores in RAM.
// - Attention: query head h uses KV head h / (heads / kv_heads). Scores cost 2 * head_dim FLOP each, the
//   softmax kSoftmaxFlopsPerScore per score, the weighted sum 2 * head_dim per score. The 1/sqrt(head_dim)
//   scale is folded into W_q (as inference engines do), so it costs nothing.
// - Not listed as ops, and not counted: norms, rotary embedding, the MLP's activation function and gating
//   product, residual adds, combining the experts' outputs, top-k selection. Each is O(d_model) or O(d_ff)
//   elementwise work per token, against O(d_model * d_ff) for the matmuls around it. Their parameters (norm
//   gains and biases) are counted and stored.
// - MoE: each token runs `experts_per_token` experts. The weights read are those of min(experts, token-expert
//   pairs) experts: the most a batch can touch, exact for one token (its experts are distinct).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shardsim/hw/roofline.hpp"
#include "shardsim/util/problem.hpp"
#include "shardsim/util/units.hpp"
#include "shardsim/hw/number_format.hpp"

namespace shardsim::workload {

// gelu: up (d_model -> d_ff), activation, down (d_ff -> d_model): two matrices (GPT-2/3).
// swiglu: down(silu(gate(x)) * up(x)): three matrices (Llama, Mixtral).
enum class MlpKind { gelu, swiglu };
// layer_norm: a gain and a bias per channel (2 * d_model parameters); rms_norm: a gain only (d_model).
enum class NormKind { layer_norm, rms_norm };

std::string_view to_string(MlpKind kind);
std::optional<MlpKind> parse_mlp_kind(std::string_view name);  // "gelu", "swiglu"
std::string_view to_string(NormKind kind);
std::optional<NormKind> parse_norm_kind(std::string_view name);  // "layer_norm", "rms_norm"

// Softmax over n scores counted as 5n FLOP: the running max (1 compare per score), subtract the max (1),
// exp (1), sum (1), divide by the sum (1).
inline constexpr std::int64_t kSoftmaxFlopsPerScore = 5;

struct TransformerSpec {
  std::int64_t vocab = 0;
  std::int64_t d_model = 0;
  std::int64_t layers = 0;
  std::int64_t heads = 0;             // query heads
  std::int64_t kv_heads = 0;          // key/value heads (grouped-query attention); 0: heads
  std::int64_t head_dim = 0;          // 0: d_model / heads
  std::int64_t d_ff = 0;              // MLP hidden width of one expert
  MlpKind mlp = MlpKind::swiglu;
  std::int64_t experts = 1;           // MLPs per layer; more than one adds a router (d_model -> experts)
  std::int64_t experts_per_token = 1;
  bool tied_embeddings = false;       // the LM head multiplies by the token embedding (no matrix of its own)
  NormKind norm = NormKind::rms_norm; // two per layer (before attention, before the MLP) and one final
  bool linear_biases = false;         // every linear layer but the LM head and router has a bias (GPT-2/3)
  bool learned_positions = false;     // a max_context x d_model position table (GPT-2/3); false: rotary
  std::int64_t max_context = 0;       // tokens
  hw::NumberFormat weight_format = hw::NumberFormat::fp16;
  hw::NumberFormat kv_format = hw::NumberFormat::fp16;
  hw::NumberFormat activation_format = hw::NumberFormat::fp16;

  std::int64_t resolved_kv_heads() const { return kv_heads > 0 ? kv_heads : heads; }
  std::int64_t resolved_head_dim() const { return head_dim > 0 ? head_dim : d_model / heads; }
  bool has_router() const { return experts > 1; }
  std::int64_t q_width() const { return heads * resolved_head_dim(); }          // Q (and attention output)
  std::int64_t kv_width() const { return resolved_kv_heads() * resolved_head_dim(); }  // K, and V
};

// A reason the spec cannot describe a model, naming the field (for the scenario loader to place).
using SpecProblem = Problem;
// Every problem found; empty when the spec is usable. The functions below require a usable spec
// (InternalError otherwise) and counts that fit in 64 bits (InternalError on overflow).
std::vector<SpecProblem> validate(const TransformerSpec& spec);

// One linear layer's parameters: in*out weights and out biases (zero without biases).
struct LinearParams {
  std::int64_t weights = 0;
  std::int64_t biases = 0;
  std::int64_t total() const { return weights + biases; }
};

// Parameter counts by component. Every layer is alike; the MLP matrices are one expert's.
struct ParamCounts {
  std::int64_t layers = 0;
  std::int64_t experts = 1;
  std::int64_t experts_per_token = 1;
  // In one layer.
  LinearParams q, k, v, o;                  // d_model -> q_width, kv_width, kv_width; q_width -> d_model
  LinearParams mlp_gate, mlp_up, mlp_down;  // one expert; mlp_gate is zero for gelu
  LinearParams router;                      // d_model -> experts, no bias; zero for dense models
  std::int64_t layer_norms = 0;             // two norms
  // Outside the layers.
  std::int64_t token_embedding = 0;         // vocab x d_model
  std::int64_t position_embedding = 0;      // max_context x d_model, or zero (rotary)
  std::int64_t final_norm = 0;
  LinearParams lm_head;                     // d_model -> vocab, no bias; zero when tied to the token embedding

  std::int64_t attention_per_layer() const { return q.total() + k.total() + v.total() + o.total(); }
  std::int64_t mlp_per_expert() const { return mlp_gate.total() + mlp_up.total() + mlp_down.total(); }
  std::int64_t layer_total() const;   // attention + experts * mlp + router + norms
  std::int64_t layer_active() const;  // attention + experts_per_token * mlp + router + norms
  std::int64_t total() const;         // layers * layer_total + embeddings + final norm + LM head
  // Parameters a token uses: layers * layer_active + embeddings + final norm + LM head (the usual
  // convention of "active parameters", e.g. Mixtral's 12.9B, which counts the embedding table whole).
  std::int64_t active_per_token() const;
  // The weights one token multiplies: layers * (Q, K, V, O, experts_per_token MLPs, router) + the LM head's
  // vocab x d_model (the token embedding's when tied). No norms, no embedding lookups, no biases.
  std::int64_t active_matmul_weights() const;
  // Biases one token adds: layers * (those of Q, K, V, O and experts_per_token MLPs).
  std::int64_t active_biases() const;
};

ParamCounts param_counts(const TransformerSpec& spec);

// Weight bytes in weight_format, every matrix stored as rows (see above): one expert's MLP in one layer,
// one whole layer (all experts), and the whole model.
Bytes expert_weight_bytes(const TransformerSpec& spec);
Bytes layer_weight_bytes(const TransformerSpec& spec);
Bytes weight_bytes(const TransformerSpec& spec);

// KV cache of one token: K and V, kv_heads rows of head_dim values each, in kv_format; per layer and for all
// layers. 2 * kv_heads * head_dim * bytes per value for float formats.
Bytes kv_bytes_per_token_per_layer(const TransformerSpec& spec);
Bytes kv_bytes_per_token(const TransformerSpec& spec);

// One op of a pass, for a plan to place or shard. weight_bytes is the part of bytes_read that is parameters,
// kv_cache_bytes the part that is the KV cache (the rest is activations).
struct OpCost {
  std::string name;
  Flop flops;
  Bytes bytes_read;
  Bytes bytes_written;
  Bytes weight_bytes;
  std::optional<hw::NumberFormat> kernel{};  // a matmul's weights' format (which picks a node's kernel rate)
  std::int64_t rows = 1;                   // rows it multiplies at once (decode: one per sequence)
  Bytes kv_cache_bytes{};

  hw::ComputeWork work() const {
    hw::ComputeWork w{flops, bytes_read, bytes_written, weight_bytes};
    w.kernel = kernel;
    w.rows = rows;
    w.kv_cache_bytes = kv_cache_bytes;
    return w;
  }
};

// The ops of one pass: `pre` before the first layer ("embed"), `layer` for one layer (run `layers` times,
// every layer alike), `post` after the last ("lm_head"). Layer ops, in order: q_proj, k_proj, v_proj,
// attn_scores, attn_softmax, attn_values, o_proj, [router,] [mlp_gate,] mlp_up, mlp_down.
struct PassCost {
  std::vector<OpCost> pre;
  std::vector<OpCost> layer;
  std::int64_t layers = 0;
  std::vector<OpCost> post;

  Flop flops() const;  // sum over pre + layers * layer + post; likewise below
  Bytes bytes_read() const;
  Bytes bytes_written() const;
  Bytes weight_bytes() const;
  // The op of that name in pre, layer or post (names are unique); nullptr if there is none.
  const OpCost* find(std::string_view name) const;
};

// One decode step of `batch` sequences, each token attending to `context` positions (its own included: the
// cache holds context - 1 entries before the step and context after). Per layer and sequence the attention
// reads context x kv_heads x head_dim values of K and as many of V. context >= 1, batch >= 1.
PassCost decode_step(const TransformerSpec& spec, std::int64_t context, std::int64_t batch);

// Prefill of `prompt` tokens in each of `batch` sequences from an empty cache: the matmuls run on
// batch * prompt rows; causal attention computes the lower triangle, diagonal included: prompt * (prompt + 1)
// / 2 scores per head and sequence. The LM head runs on each sequence's last position only (the logits of the
// first generated token). prompt >= 1, batch >= 1. prefill(spec, 1, b) costs what decode_step(spec, 1, b) does.
PassCost prefill(const TransformerSpec& spec, std::int64_t prompt, std::int64_t batch);

// Closed forms of the passes' FLOPs (what the op lists sum to):
//   decode:  batch * (2 * active_matmul_weights + active_biases
//                     + layers * heads * context * (4 * head_dim + kSoftmaxFlopsPerScore))
//   prefill: batch * (prompt * (2 * (active_matmul_weights - lm_head) + active_biases) + 2 * lm_head
//                     + layers * heads * prompt * (prompt + 1) / 2 * (4 * head_dim + kSoftmaxFlopsPerScore))
// where lm_head = vocab * d_model: per token, 2 FLOP per active weight and 1 per bias, plus attention.
Flop decode_flops(const TransformerSpec& spec, std::int64_t context, std::int64_t batch);
Flop prefill_flops(const TransformerSpec& spec, std::int64_t prompt, std::int64_t batch);

}  // namespace shardsim::workload
