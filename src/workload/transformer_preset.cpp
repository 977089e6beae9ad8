#include "shardsim/workload/transformer_preset.hpp"

#include <array>

namespace shardsim::workload {
namespace {

// Dims from each model's published config. Hugging Face configs name them: vocab_size, hidden_size (d_model),
// num_hidden_layers, num_attention_heads, num_key_value_heads, intermediate_size (d_ff), hidden_act "silu"
// with gate/up/down projections (swiglu), RMSNorm, tie_word_embeddings, max_position_embeddings, torch_dtype;
// Mixtral adds num_local_experts and num_experts_per_tok.
constexpr hw::NumberFormat fp16 = hw::NumberFormat::fp16;
constexpr hw::NumberFormat bf16 = hw::NumberFormat::bf16;

constexpr std::array<TransformerPreset, 9> kPresets{{
    // GPT-3 175B: Brown et al. 2020, "Language Models are Few-Shot Learners" (arXiv:2005.14165), Table 2.1:
    // n_layers 96, d_model 12288, n_heads 96, d_head 128; Section 2.1: d_ff = 4 * d_model, context window
    // n_ctx = 2048 tokens, "the same model and architecture as GPT-2" (except alternating dense and locally
    // banded sparse attention layers, which this model counts as dense). GPT-2's architecture
    // (github.com/openai/gpt-2, src/model.py): biases on every linear layer (conv1d's `b`), LayerNorm with
    // gain `g` and bias `b`, a learned position table `wpe` of n_ctx x n_embd, logits = h @ wte^T (tied),
    // gelu MLP c_fc -> c_proj; vocabulary 50257 (GPT-2 paper, Radford et al. 2019, Section 2.3, and its
    // hparams.json n_vocab). The weights were never released; fp16 as the seed notebook assumes.
    {"gpt3-175b", "GPT-3 175B: 96 layers, d_model 12288, 96 heads, gelu 49152, tied, learned positions",
     TransformerSpec{.vocab = 50257, .d_model = 12288, .layers = 96, .heads = 96, .kv_heads = 96, .head_dim = 128,
                     .d_ff = 49152, .mlp = MlpKind::gelu, .experts = 1, .experts_per_token = 1,
                     .tied_embeddings = true, .norm = NormKind::layer_norm, .linear_biases = true,
                     .learned_positions = true, .max_context = 2048, .weight_format = fp16, .kv_format = fp16,
                     .activation_format = fp16}},
    // Llama 2 7B: huggingface.co/meta-llama/Llama-2-7b-hf config.json: vocab_size 32000, hidden_size 4096,
    // intermediate_size 11008, num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 32,
    // max_position_embeddings 4096, torch_dtype float16, untied (its printed module tree, e.g. in
    // github.com/Retruth/deontic nlp_models/llama2/README.md, shows q/k/v/o 4096 x 4096, gate/up/down
    // 4096 x 11008 without biases, two RMSNorms per layer and a separate lm_head 4096 -> 32000).
    {"llama2-7b", "Llama 2 7B: 32 layers, d_model 4096, 32 heads, swiglu 11008",
     TransformerSpec{.vocab = 32000, .d_model = 4096, .layers = 32, .heads = 32, .kv_heads = 32, .head_dim = 128,
                     .d_ff = 11008, .mlp = MlpKind::swiglu, .experts = 1, .experts_per_token = 1,
                     .tied_embeddings = false, .norm = NormKind::rms_norm, .linear_biases = false,
                     .learned_positions = false, .max_context = 4096, .weight_format = fp16, .kv_format = fp16,
                     .activation_format = fp16}},
    // Llama 2 13B: huggingface.co/meta-llama/Llama-2-13b-hf config.json: hidden_size 5120, intermediate_size
    // 13824, num_hidden_layers 40, num_attention_heads 40, num_key_value_heads 40, vocab 32000, 4096
    // positions, float16 (also the module tree in the Retruth/deontic README above).
    {"llama2-13b", "Llama 2 13B: 40 layers, d_model 5120, 40 heads, swiglu 13824",
     TransformerSpec{.vocab = 32000, .d_model = 5120, .layers = 40, .heads = 40, .kv_heads = 40, .head_dim = 128,
                     .d_ff = 13824, .mlp = MlpKind::swiglu, .experts = 1, .experts_per_token = 1,
                     .tied_embeddings = false, .norm = NormKind::rms_norm, .linear_biases = false,
                     .learned_positions = false, .max_context = 4096, .weight_format = fp16, .kv_format = fp16,
                     .activation_format = fp16}},
    // Llama 2 70B: huggingface.co/meta-llama/Llama-2-70b-hf config.json: hidden_size 8192, intermediate_size
    // 28672, num_hidden_layers 80, num_attention_heads 64, num_key_value_heads 8 (grouped-query attention),
    // vocab 32000, 4096 positions, float16.
    {"llama2-70b", "Llama 2 70B: 80 layers, d_model 8192, 64 heads / 8 KV heads, swiglu 28672",
     TransformerSpec{.vocab = 32000, .d_model = 8192, .layers = 80, .heads = 64, .kv_heads = 8, .head_dim = 128,
                     .d_ff = 28672, .mlp = MlpKind::swiglu, .experts = 1, .experts_per_token = 1,
                     .tied_embeddings = false, .norm = NormKind::rms_norm, .linear_biases = false,
                     .learned_positions = false, .max_context = 4096, .weight_format = fp16, .kv_format = fp16,
                     .activation_format = fp16}},
    // Llama 3 8B: huggingface.co/meta-llama/Meta-Llama-3-8B config.json: vocab_size 128256, hidden_size 4096,
    // intermediate_size 14336, num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 8,
    // max_position_embeddings 8192, tie_word_embeddings false, torch_dtype bfloat16. (The same dims as
    // Llama 3.1 8B, e.g. github.com/vulkomilev/oumi configs/recipes/llama3_1/README.md, which has 131072
    // positions.)
    {"llama3-8b", "Llama 3 8B: 32 layers, d_model 4096, 32 heads / 8 KV heads, swiglu 14336, vocab 128256",
     TransformerSpec{.vocab = 128256, .d_model = 4096, .layers = 32, .heads = 32, .kv_heads = 8, .head_dim = 128,
                     .d_ff = 14336, .mlp = MlpKind::swiglu, .experts = 1, .experts_per_token = 1,
                     .tied_embeddings = false, .norm = NormKind::rms_norm, .linear_biases = false,
                     .learned_positions = false, .max_context = 8192, .weight_format = bf16, .kv_format = bf16,
                     .activation_format = bf16}},
    // Llama 3 70B: huggingface.co/meta-llama/Meta-Llama-3-70B config.json: hidden_size 8192,
    // intermediate_size 28672, num_hidden_layers 80, num_attention_heads 64, num_key_value_heads 8, vocab
    // 128256, 8192 positions, untied, bfloat16 (same dims in the oumi README above for 3.1 70B).
    {"llama3-70b", "Llama 3 70B: 80 layers, d_model 8192, 64 heads / 8 KV heads, swiglu 28672, vocab 128256",
     TransformerSpec{.vocab = 128256, .d_model = 8192, .layers = 80, .heads = 64, .kv_heads = 8, .head_dim = 128,
                     .d_ff = 28672, .mlp = MlpKind::swiglu, .experts = 1, .experts_per_token = 1,
                     .tied_embeddings = false, .norm = NormKind::rms_norm, .linear_biases = false,
                     .learned_positions = false, .max_context = 8192, .weight_format = bf16, .kv_format = bf16,
                     .activation_format = bf16}},
    // Llama 3.1 405B: huggingface.co/meta-llama/Llama-3.1-405B config.json: hidden_size 16384,
    // intermediate_size 53248, num_hidden_layers 126, num_attention_heads 128, num_key_value_heads 8, vocab
    // 128256, max_position_embeddings 131072, untied, bfloat16 (Meta also publishes an FP8 variant).
    {"llama3.1-405b", "Llama 3.1 405B: 126 layers, d_model 16384, 128 heads / 8 KV heads, swiglu 53248",
     TransformerSpec{.vocab = 128256, .d_model = 16384, .layers = 126, .heads = 128, .kv_heads = 8,
                     .head_dim = 128, .d_ff = 53248, .mlp = MlpKind::swiglu, .experts = 1,
                     .experts_per_token = 1, .tied_embeddings = false, .norm = NormKind::rms_norm,
                     .linear_biases = false, .learned_positions = false, .max_context = 131072,
                     .weight_format = bf16, .kv_format = bf16, .activation_format = bf16}},
    // Mixtral 8x7B: huggingface.co/mistralai/Mixtral-8x7B-v0.1 config.json: vocab_size 32000, hidden_size
    // 4096, intermediate_size 14336, num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 8,
    // num_local_experts 8, num_experts_per_tok 2, max_position_embeddings 32768, untied, bfloat16; a router
    // (gate, 4096 -> 8, no bias) per layer. Jiang et al. 2024, "Mixtral of Experts" (arXiv:2401.04088),
    // Table 1 gives the same dims (dim 4096, n_layers 32, head_dim 128, hidden_dim 14336, n_heads 32,
    // n_kv_heads 8, context_len 32768, vocab_size 32000, num_experts 8, top_k_experts 2).
    {"mixtral-8x7b", "Mixtral 8x7B: 32 layers, d_model 4096, 32 heads / 8 KV heads, 8 swiglu experts of 14336, top 2",
     TransformerSpec{.vocab = 32000, .d_model = 4096, .layers = 32, .heads = 32, .kv_heads = 8, .head_dim = 128,
                     .d_ff = 14336, .mlp = MlpKind::swiglu, .experts = 8, .experts_per_token = 2,
                     .tied_embeddings = false, .norm = NormKind::rms_norm, .linear_biases = false,
                     .learned_positions = false, .max_context = 32768, .weight_format = bf16, .kv_format = bf16,
                     .activation_format = bf16}},
    // TinyLlama 1.1B: huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0 config.json (and the
    // intermediate-step-1431k-3T base model's): vocab_size 32000, hidden_size 2048, intermediate_size 5632,
    // num_hidden_layers 22, num_attention_heads 32, num_key_value_heads 4, max_position_embeddings 2048,
    // tie_word_embeddings false, torch_dtype bfloat16 (head_dim 64: k_proj 2048 -> 256 in its module tree).
    {"tinyllama-1.1b", "TinyLlama 1.1B: 22 layers, d_model 2048, 32 heads / 4 KV heads, swiglu 5632",
     TransformerSpec{.vocab = 32000, .d_model = 2048, .layers = 22, .heads = 32, .kv_heads = 4, .head_dim = 64,
                     .d_ff = 5632, .mlp = MlpKind::swiglu, .experts = 1, .experts_per_token = 1,
                     .tied_embeddings = false, .norm = NormKind::rms_norm, .linear_biases = false,
                     .learned_positions = false, .max_context = 2048, .weight_format = bf16, .kv_format = bf16,
                     .activation_format = bf16}},
}};

}  // namespace

std::span<const TransformerPreset> transformer_presets() { return kPresets; }

std::optional<TransformerSpec> find_transformer_preset(std::string_view name) {
  for (const TransformerPreset& p : kPresets) {
    if (p.name == name) return p.spec;
  }
  return std::nullopt;
}

}  // namespace shardsim::workload
