#pragma once
// What one training step of a decoder-only transformer costs: the forward pass over `batch` sequences of `seq`
// tokens with a cross-entropy loss at every position, the backward pass op by op, and the optimizer update (FLOPs,
// bytes read and written), and what training occupies in memory: the per-parameter state (weights, gradients,
// fp32 master copy, optimizer moments), sharded or not by ZeRO, and the activations kept for the backward.
// Units: Flop and Bytes. Everything follows from the dims and the conventions of transformer_spec.hpp (each op
// reads its operands once and writes its result once; naive attention; elementwise work not counted).
//
// Conventions added here:
// - Formats: the passes store activations, and the gradients flowing backward, in `activation_format`; weights
//   and weight gradients in `weight_format`; K and V (written by the forward, read by the backward) in
//   `kv_format`, as prefill does. Training computes in one format: with_compute_format sets all three.
// - The backward of a linear layer X (r x in) -> Y = X W (+ b) is two matmuls of the forward's size:
//   grad_input dX = dY W^T and grad_weight dW = X^T dY (+ db = the column sums of dY, r * out FLOP). The
//   gradient of an activation is stored like the activation (dK and dV as rows of head_dim, like K and V).
// - Weight gradients are written once per step, not accumulated (no micro-batching); the embedding gradient is
//   a scatter-add, a read-modify-write of the token rows (zeroing the table before the step is not counted).
// - Token ids and labels are not counted as bytes (the forward's embed does not count its ids either).
// - Not counted, as in the forward: the backward of norms, rotary embedding, the MLP's activation and gating
//   product, residual adds, the experts' combination and top-k; and the per-row scalars of the loss.

#include <cstdint>
#include <optional>
#include <string_view>

#include "shardsim/util/units.hpp"
#include "shardsim/hw/number_format.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::workload {

// AdamW costs what Adam does (its decoupled weight decay is not counted separately, see below).
enum class Optimizer { sgd, momentum, adam };
// fp32: everything in fp32. mixed: weights, activations and gradients in a 16-bit format, with an fp32 master
// copy of the weights that the optimizer updates (Micikevicius et al. 2018, "Mixed Precision Training").
enum class Precision { fp32, mixed };

std::string_view to_string(Optimizer optimizer);
std::optional<Optimizer> parse_optimizer(std::string_view name);  // "sgd", "momentum", "adam", "adamw" (= adam)
std::string_view to_string(Precision precision);
std::optional<Precision> parse_precision(std::string_view name);  // "fp32", "mixed"

struct OptimizerSpec {
  Optimizer optimizer = Optimizer::adam;
  Precision precision = Precision::mixed;
};

// The format the passes compute in: fp32, or bf16 for mixed precision (fp16 occupies the same two bytes; set
// the spec's formats by hand to name it). with_compute_format returns `spec` with its weight, KV and activation
// formats set to it.
hw::NumberFormat compute_format(Precision precision);
TransformerSpec with_compute_format(TransformerSpec spec, Precision precision);

// Bytes of training state per parameter. Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training
// Trillion Parameter Models" (arXiv:1910.02054), §3.1: mixed-precision Adam holds "2Ψ + 2Ψ + KΨ" bytes for Ψ
// parameters, 16-bit weights and gradients plus K = 12 bytes of fp32 optimizer state (master weights, momentum,
// variance). Here:
//   weights, gradients: 4 each in fp32; 2 each (the 16-bit compute format) in mixed precision;
//   master:             the fp32 copy, 4 in mixed precision, none in fp32 (the weights are the master);
//   moments:            fp32, 0 for SGD, 4 for momentum (one velocity), 8 for Adam (first and second moment).
// So mixed Adam 2 + 2 + 4 + 8 = 16 (K = 12), fp32 Adam 4 + 4 + 8 = 16, fp32 SGD 8, mixed SGD 8.
struct StateBytesPerParam {
  std::int64_t weights = 0;
  std::int64_t gradients = 0;
  std::int64_t master = 0;
  std::int64_t moments = 0;

  std::int64_t optimizer() const { return master + moments; }  // what ZeRO calls the optimizer state
  std::int64_t total() const { return weights + gradients + master + moments; }
};
StateBytesPerParam state_bytes_per_param(const OptimizerSpec& optimizer);

// ZeRO (Rajbhandari et al. 2020, §5) over a data-parallel degree D: stage one shards the optimizer state
// (master and moments) over the D replicas, stage two also the gradients, stage three also the weights.
enum class ZeroStage { none = 0, one = 1, two = 2, three = 3 };
std::optional<ZeroStage> zero_stage(std::int64_t stage);  // 0..3; nullopt otherwise

// `total` items split over `parts` as evenly as possible: the first total % parts parts get one more, so the
// parts add up to `total` exactly. total >= 0, parts >= 1, 0 <= index < parts.
std::int64_t balanced_share(std::int64_t total, std::int64_t parts, std::int64_t index);

// Training state one data-parallel rank holds.
struct TrainingState {
  Bytes weights;
  Bytes gradients;
  Bytes optimizer;  // master copy + moments

  Bytes total() const { return weights + gradients + optimizer; }
};

// What data-parallel rank `rank` of `data_parallel` holds for the `params` parameters of one model replica
// (or of one model-parallel shard of it): a sharded component holds balanced_share(params, D, rank) parameters'
// worth, an unsharded one all `params`. Summed over the D ranks, a sharded component is params * its bytes
// exactly. params >= 0, data_parallel >= 1, 0 <= rank < data_parallel.
TrainingState training_state(const OptimizerSpec& optimizer, std::int64_t params, ZeroStage stage = ZeroStage::none,
                             std::int64_t data_parallel = 1, std::int64_t rank = 0);

// Per-element FLOP counts of the ops training adds.
// The loss: softmax over the vocabulary of each row's logits, kSoftmaxFlopsPerScore per logit (max, subtract,
// exp, sum, divide), writing the probabilities the backward reads; the row's -log p[label] is O(1) per row and
// not counted (like the other per-row scalars).
inline constexpr std::int64_t kLossFlopsPerLogit = kSoftmaxFlopsPerScore;
// Its gradient, dlogits = p - onehot(label): one subtraction per logit (the one-hot taken as a dense matrix, as
// the attention is taken naively; the 1/rows of the mean loss is folded into the learning rate).
inline constexpr std::int64_t kLossGradFlopsPerLogit = 1;
// The softmax's backward, dS = P * (dP - rowsum(dP * P)) per row of scores: dP * P (1 multiply), the row sum
// (1 add), dP - sum (1 subtract), times P (1 multiply): 4 per score.
inline constexpr std::int64_t kSoftmaxGradFlopsPerScore = 4;
// The optimizer update per parameter (the per-step scalars, e.g. Adam's bias corrections, folded into the
// learning rate; casts between formats are conversions, not FLOPs):
//   sgd       w -= lr * g                    multiply, subtract                      2
//   momentum  m = mu * m + g; w -= lr * m    multiply, add; multiply, subtract       4
//   adam      m = b1 * m + (1 - b1) * g      2 multiplies, add                       3
//             v = b2 * v + (1 - b2) * g * g  g * g, 2 multiplies, add                4
//             w -= lr * m / (sqrt(v) + eps)  sqrt, add, divide, multiply, subtract   5
//                                                                                   12
// AdamW's decoupled decay (w *= 1 - lr * wd, one multiply more) is left out so that both share one count: it
// is a twelfth of an update that runs once per step, against the passes' 6 FLOP per parameter and token.
std::int64_t optimizer_flops_per_param(Optimizer optimizer);

// The optimizer update of `params` parameters: optimizer_flops_per_param FLOP each; reads what the update uses,
// the gradient, the fp32 weights (the master copy in mixed precision, the weights themselves in fp32) and the
// moments; writes the weights (and in mixed precision the master copy too, the 16-bit weights being its cast)
// and the moments. Per parameter, read / written: fp32 SGD 8 / 4, momentum 12 / 8, Adam 16 / 12; mixed SGD
// 6 / 6, momentum 10 / 10, Adam 14 / 14. weight_bytes = bytes_read: all of it is per-parameter state, none
// activations. params >= 0.
OpCost optimizer_step(const OptimizerSpec& optimizer, std::int64_t params);

// The forward and backward passes of one training step over `batch` sequences of `seq` tokens (rows =
// batch * seq), causal, from no cache.
//
// forward: prefill's ops (layer ops as prefill's, causal attention with seq (seq + 1) / 2 scores per head and
//   sequence), except that `post` runs the LM head on every row (the loss is taken at every position) and then
//   "loss": reads the logits (rows x vocab), writes the probabilities (rows x vocab) and one loss per row.
// backward: the same pre / layer / post structure, in the order the ops run:
//   pre:   loss.grad, lm_head.grad_input, lm_head.grad_weight
//   layer: mlp_down, mlp_up, [mlp_gate,] [router,] o_proj (.grad_input, .grad_weight each), attn_values.grad_p,
//          attn_values.grad_v, attn_softmax.grad, attn_scores.grad_q, attn_scores.grad_k, v_proj, k_proj,
//          q_proj (.grad_input, .grad_weight each)
//   post:  embed.grad
// - A linear op in -> out on r rows with the weights of c experts (c = 1 but for the MLP of a mixture, where
//   r = rows * experts_per_token and c = min(experts, r) as in the forward):
//     grad_input:  r * 2 * in * out FLOP; reads dY (r x out) and the c weight matrices (no biases: dX does
//                  not use them), writes dX (r x in). weight_bytes = the matrices read.
//     grad_weight: r * 2 * in * out FLOP (+ r * out for the bias gradient when the layer has biases); reads
//                  X (r x in) and dY (r x out), writes the c matrices' gradients (+ biases) in weight_format.
//   K and V have kv_heads * head_dim columns: their dY is dK, dV, into which the heads sharing a KV head sum.
// - attn_scores (S = Q K^T): grad_q dQ = dS K reads dS and K, writes dQ; grad_k dK = dS^T Q reads dS and Q,
//   writes dK (kv_heads rows of head_dim per token). Each 2 * head_dim FLOP per score, as the forward.
// - attn_values (O = P V): grad_p dP = dO V^T reads dO and V, writes dP (the causal triangle); grad_v
//   dV = P^T dO reads P and dO, writes dV. Each 2 * head_dim FLOP per score.
// - attn_softmax.grad: kSoftmaxGradFlopsPerScore per score; reads P and dP, writes dS.
// - loss.grad: kLossGradFlopsPerLogit per logit; reads the probabilities, writes dlogits (rows x vocab).
// - embed.grad: scatter-adds each row of dX into its token's row of the embedding gradient (and, with learned
//   positions, into its position's row of theirs): rows * d_model FLOP per table; reads dX and the rows it
//   adds to, writes those rows (rows x d_model per table, weight_format). With tied embeddings the token
//   rows are those of the gradient lm_head.grad_weight wrote.
// batch >= 1, seq >= 1.
struct TrainingPass {
  PassCost forward;
  PassCost backward;
};
TrainingPass training_pass(const TransformerSpec& spec, std::int64_t batch, std::int64_t seq);

// Closed form of forward + backward FLOPs (what training_pass's op lists sum to), with rows = batch * seq,
// M = active_matmul_weights (the LM head included), B = active_biases, T = seq * (seq + 1) / 2:
//   forward:  rows * (2 M + B + vocab * kLossFlopsPerLogit)
//             + batch * layers * heads * T * (4 * head_dim + kSoftmaxFlopsPerScore)
//   backward: rows * (4 M + B + vocab * kLossGradFlopsPerLogit + d_model * (learned_positions ? 2 : 1))
//             + batch * layers * heads * T * (8 * head_dim + kSoftmaxGradFlopsPerScore)
//   sum:      rows * (6 M + 2 B + vocab * (kLossFlopsPerLogit + kLossGradFlopsPerLogit)
//                     + d_model * (learned_positions ? 2 : 1))
//             + batch * layers * heads * T * (12 * head_dim + kSoftmaxFlopsPerScore + kSoftmaxGradFlopsPerScore)
// The matmuls of the backward are exactly twice the forward's (grad_input and grad_weight for each linear op,
// two gradients for each attention matmul); biases cost one FLOP each both ways. Per token that is the
// "6 N" of Kaplan et al. 2020 ("Scaling Laws for Neural Language Models", §2.1: C ~ 6 N per training token)
// and Hoffmann et al. 2022 (Chinchilla, Appendix F), with N the multiplied weights (Kaplan's non-embedding
// parameters and the LM head), plus attention's
// layers * heads * (seq + 1) / 2 * (12 * head_dim + 9) per token. A step adds optimizer_step(...).flops once.
Flop training_flops(const TransformerSpec& spec, std::int64_t batch, std::int64_t seq);

// Activations kept from the forward for the backward, for `batch` sequences of `seq` tokens (rows = batch *
// seq), in activation_format (K and V in kv_format). Without recomputation every tensor a backward op (or a
// not-counted elementwise backward) reads that the forward produced is kept, per layer:
//   the layer input (the attention norm's input), the norm's output (Q, K and V's input): rows x d_model each
//   Q (rows x q_width), K and V (rows x kv_heads rows of head_dim, kv_format)
//   the probabilities P: the causal triangle, seq (seq + 1) / 2 per head and sequence (the raw scores are not
//     needed: the softmax's backward reads its output)
//   the attention output (O's input, rows x q_width)
//   the MLP norm's input and output: rows x d_model each
//   with experts: the router's logits (rows x experts) and each token-expert pair's expert output (pairs x
//     d_model), which the combination's backward reads
//   the MLP hidden activations, pairs x d_ff each: swiglu the gate's and up's outputs and their gated product
//     (down's input), gelu up's output and its activation (down's input)
// For GPT-3-like dims (gelu, d_ff = 4 h, 16-bit) that is 32 s b h + a s (s + 1) b bytes: Korthikanti et al.
// 2022, "Reducing Activation Recomputation in Large Transformer Models" (arXiv:2205.05198), "Activations Memory
// Per Transformer Layer", count 34 s b h + 5 a s^2 b, which is this plus the dropout masks and outputs (2 s b h +
// 3 a s^2 b) with all s^2 scores where this keeps the causal triangle's s (s + 1) / 2.
// With full recomputation (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost", a checkpoint at
// every layer) each layer keeps only its input (rows x d_model) and reruns its forward during its backward: the
// rest of that one layer's set is the working figure. Either way the head keeps the final norm's input and
// output (rows x d_model each) and two vocab-wide tensors (rows x vocab each): the loss reads the logits and
// writes the probabilities, both live at once.
// Not counted: the gradients flowing backward (a few tensors of one op's size at any time), the norms' per-row
// statistics, workspace.
struct ActivationMemory {
  std::int64_t layers = 0;
  Bytes per_layer;  // kept by each layer from its forward to its backward
  Bytes working;    // recomputed during one layer's backward, beyond what it keeps (zero without recompute)
  Bytes head;       // final norm, logits, probabilities

  Bytes peak() const { return per_layer * layers + working + head; }
};
ActivationMemory activation_memory(const TransformerSpec& spec, std::int64_t batch, std::int64_t seq,
                                   bool recompute);

}  // namespace shardsim::workload
