#include <catch2/catch.hpp>

#include "printing.hpp"

#include <cmath>
#include <set>
#include <string>

#include "shardsim/util/error.hpp"
#include "shardsim/workload/model_preset.hpp"
#include "pass_lookup.hpp"
#include "shardsim/workload/transformer_preset.hpp"
#include "shardsim/workload/transformer_spec.hpp"

using namespace shardsim;
using namespace shardsim::workload;
using shardsim::hw::NumberFormat;
using shardsim::testing::op;
using shardsim::testing::preset;

namespace {



struct Published {
  const char* name;
  double params;
  bool exact;  // an exact parameter count (checked to the parameter), not a rounded figure
};

// Published totals. The Hugging Face Hub shows each checkpoint's parameter count (the safetensors metadata,
// "Model size" on the model page); transformers' num_parameters() gives the same. Sources:
// - gpt3-175b: 175.0e9, Brown et al. 2020 (arXiv:2005.14165) Table 2.1, "n_params 175.0B" (rounded).
// - llama2-7b: 6,738,415,616, huggingface.co/meta-llama/Llama-2-7b-hf ("6.74B params").
// - llama2-13b: 13,015,864,320, huggingface.co/meta-llama/Llama-2-13b-hf ("13B"); the hub's safetensors
//   total, 13,015,866,880, also counts 40 layers x 64 values of the rotary inv_freq buffer (2560), which are
//   not parameters.
// - llama2-70b: 68,976,648,192, huggingface.co/meta-llama/Llama-2-70b-hf ("69B"); its safetensors total
//   68,976,653,312 likewise includes 80 x 64 inv_freq values (5120).
// - llama3-8b: 8,030,261,248, huggingface.co/meta-llama/Meta-Llama-3-8B ("8.03B params").
// - llama3-70b: 70,553,706,496, huggingface.co/meta-llama/Meta-Llama-3-70B ("70.6B params").
// - llama3.1-405b: 405,853,388,800, huggingface.co/meta-llama/Llama-3.1-405B ("406B params").
// - mixtral-8x7b: 46,702,792,704, huggingface.co/mistralai/Mixtral-8x7B-v0.1 ("46.7B params"); Mistral AI's
//   announcement (mistral.ai/news/mixtral-of-experts) rounds it to 46.7B.
// - tinyllama-1.1b: 1,100,048,384, huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0 ("1.1B params").
constexpr Published kPublished[] = {
    {"gpt3-175b", 175.0e9, false},          {"llama2-7b", 6738415616.0, true},
    {"llama2-13b", 13015864320.0, true},    {"llama2-70b", 68976648192.0, true},
    {"llama3-8b", 8030261248.0, true},      {"llama3-70b", 70553706496.0, true},
    {"llama3.1-405b", 405853388800.0, true}, {"mixtral-8x7b", 46702792704.0, true},
    {"tinyllama-1.1b", 1100048384.0, true},
};

}  // namespace

TEST_CASE("transformer presets: every total within 0.5 % of the published one (exact where it is a count)") {
  REQUIRE(std::size(kPublished) == transformer_presets().size());  // a new preset needs its published total
  for (const Published& pub : kPublished) {
    INFO(pub.name);
    const std::int64_t total = param_counts(preset(pub.name)).total();
    CHECK(static_cast<double>(total) == Approx(pub.params).epsilon(0.005));
    if (pub.exact) CHECK(static_cast<double>(total) == pub.params);
  }
}

TEST_CASE("transformer presets: names are unique, found, and distinct from the MLP presets") {
  std::set<std::string> names;
  for (const TransformerPreset& p : transformer_presets()) {
    INFO(p.name);
    CHECK(names.insert(std::string(p.name)).second);
    CHECK(validate(p.spec).empty());
    CHECK(find_model_preset(p.name) == std::nullopt);  // one namespace for `[model] preset` later
    CHECK(find_transformer_preset(p.name).has_value());
  }
  CHECK_FALSE(find_transformer_preset("llama-2-7b").has_value());
  CHECK_FALSE(find_transformer_preset("seed-mlp").has_value());
}

TEST_CASE("transformer: Llama 2 7B parameters by component") {
  const ParamCounts p = param_counts(preset("llama2-7b"));
  // Attention: Q, K, V, O are each 4096 x 4096 = 16,777,216 (32 KV heads x 128 = 4096), no biases.
  CHECK(p.q.weights == 16777216);
  CHECK(p.k.weights == 16777216);
  CHECK(p.q.biases == 0);
  CHECK(p.attention_per_layer() == 67108864);
  // SwiGLU: gate and up 4096 x 11008 = 45,088,768 each, down the same: 135,266,304.
  CHECK(p.mlp_gate.weights == 45088768);
  CHECK(p.mlp_per_expert() == 135266304);
  CHECK(p.router.total() == 0);
  CHECK(p.layer_norms == 8192);  // two RMSNorm gains of 4096
  // Layer: 67,108,864 + 135,266,304 + 8192 = 202,383,360.
  CHECK(p.layer_total() == 202383360);
  CHECK(p.token_embedding == 131072000);  // 32000 x 4096
  CHECK(p.position_embedding == 0);
  CHECK(p.lm_head.weights == 131072000);  // untied
  CHECK(p.final_norm == 4096);
  // 32 * 202,383,360 + 2 * 131,072,000 + 4096 = 6,738,415,616 (= the published count).
  CHECK(p.total() == 6738415616);
  CHECK(p.active_per_token() == p.total());  // dense
  // Multiplied per token: everything but the token embedding and the 65 norm gains:
  // 6,738,415,616 - 131,072,000 - 65 * 4096 = 6,607,077,376.
  CHECK(p.active_matmul_weights() == 6607077376);
  CHECK(p.active_biases() == 0);
}

TEST_CASE("transformer: grouped-query attention shrinks K and V (Llama 3 8B, TinyLlama)") {
  const ParamCounts l3 = param_counts(preset("llama3-8b"));
  // 8 KV heads x 128 = 1024 wide: K and V are 4096 x 1024 = 4,194,304 each; Q and O 4096 x 4096.
  CHECK(l3.k.weights == 4194304);
  CHECK(l3.v.weights == 4194304);
  CHECK(l3.attention_per_layer() == 2 * 16777216 + 2 * 4194304);
  // TinyLlama: head_dim 2048 / 32 = 64, 4 KV heads: K is 2048 x 256 = 524,288.
  const TransformerSpec tiny = preset("tinyllama-1.1b");
  CHECK(tiny.resolved_head_dim() == 64);
  CHECK(param_counts(tiny).k.weights == 524288);
}

TEST_CASE("transformer: GPT-3 175B with biases, LayerNorm, learned positions and tied embeddings") {
  const ParamCounts p = param_counts(preset("gpt3-175b"));
  // Q, K, V, O: 12288 x 12288 + 12288 biases each: 4 * 151,007,232 = 604,028,928.
  CHECK(p.attention_per_layer() == 604028928);
  // Gelu MLP: up 12288 x 49152 + 49152 biases, down 49152 x 12288 + 12288: 1,208,020,992.
  CHECK(p.mlp_gate.total() == 0);
  CHECK(p.mlp_per_expert() == 1208020992);
  CHECK(p.layer_norms == 4 * 12288);  // two LayerNorms, gain and bias each
  // Layer 604,028,928 + 1,208,020,992 + 49,152 = 1,812,099,072; 96 layers = 173,961,510,912;
  // + token embedding 50257 x 12288 = 617,558,016 + positions 2048 x 12288 = 25,165,824 + final LayerNorm
  // 24,576 + no LM head (tied) = 174,604,259,328: 0.23 % under the published 175.0B.
  CHECK(p.layer_total() == 1812099072);
  CHECK(p.lm_head.total() == 0);
  CHECK(p.total() == 174604259328);
  // Multiplied per token: 96 * (4 * 12288^2 + 2 * 12288 * 49152) + the tied head 50257 x 12288
  // = 173,946,175,488 + 617,558,016 = 174,563,733,504; biases 96 * (4 * 12288 + 49152 + 12288) = 10,616,832.
  CHECK(p.active_matmul_weights() == 174563733504);
  CHECK(p.active_biases() == 10616832);
}

TEST_CASE("transformer: Mixtral 8x7B total and active parameters") {
  const ParamCounts p = param_counts(preset("mixtral-8x7b"));
  // One expert: 3 x 4096 x 14336 = 176,160,768; router 4096 x 8 = 32,768 per layer.
  CHECK(p.mlp_per_expert() == 176160768);
  CHECK(p.router.weights == 32768);
  CHECK(p.router.biases == 0);
  CHECK(p.total() == 46702792704);
  // Active: 6 of the 8 experts idle in each of 32 layers: 46,702,792,704 - 6 * 32 * 176,160,768
  // = 12,879,925,248, which Mistral AI rounds to "12.9B parameters per token" (mistral.ai/news/
  // mixtral-of-experts): 0.16 % apart.
  CHECK(p.active_per_token() == 12879925248);
  CHECK(static_cast<double>(p.active_per_token()) == Approx(12.9e9).epsilon(0.005));
}

TEST_CASE("transformer: KV cache bytes per token") {
  // Llama 2 7B fp16: K and V, 32 heads x 128 values x 2 B, per layer: 2 * 4096 * 2 = 16,384 B; 32 layers:
  // 524,288 B.
  CHECK(kv_bytes_per_token_per_layer(preset("llama2-7b")) == Bytes{16384});
  CHECK(kv_bytes_per_token(preset("llama2-7b")) == Bytes{524288});
  // Llama 3 8B bf16, 8 KV heads: 2 * 8 * 128 * 2 = 4096 B per layer, 131,072 B per token.
  CHECK(kv_bytes_per_token(preset("llama3-8b")) == Bytes{131072});
  // Llama 2 70B fp16, 8 KV heads, 80 layers: 2 * 8 * 128 * 2 * 80 = 327,680 B.
  CHECK(kv_bytes_per_token(preset("llama2-70b")) == Bytes{327680});
  // GPT-3 (no GQA): 2 * 12288 * 2 * 96 = 4,718,592 B.
  CHECK(kv_bytes_per_token(preset("gpt3-175b")) == Bytes{4718592});
  // Llama 3 8B with a q8_0 cache: a 128-value head row is 4 blocks = 136 B; 2 * 8 * 136 = 2176 B per layer,
  // 69,632 B per token.
  TransformerSpec q8 = preset("llama3-8b");
  q8.kv_format = NumberFormat::q8_0;
  CHECK(kv_bytes_per_token(q8) == Bytes{69632});
}

TEST_CASE("transformer: weight bytes in each format") {
  // Every matrix row of every preset is a whole number of 32-value blocks, so the bytes are exactly
  // params * bytes per value. Llama 2 7B: fp16 2 * 6,738,415,616 = 13,476,831,232 B;
  // q8_0 6,738,415,616 / 32 * 34 = 7,159,566,592 B; q4_0 / 32 * 18 = 3,790,358,784 B.
  TransformerSpec s = preset("llama2-7b");
  CHECK(weight_bytes(s) == Bytes{13476831232});
  s.weight_format = NumberFormat::q8_0;
  CHECK(weight_bytes(s) == Bytes{7159566592});
  s.weight_format = NumberFormat::q4_0;
  CHECK(weight_bytes(s) == Bytes{3790358784});
  // The 16-bit presets: 2 bytes per parameter, whatever their biases, norms and tied heads.
  for (const TransformerPreset& p : transformer_presets()) {
    INFO(p.name);
    CHECK(weight_bytes(p.spec) == Bytes{2 * param_counts(p.spec).total()});
  }
  // Layer and expert shares: Mixtral bf16, one expert 176,160,768 * 2 B; a layer is attention 41,943,040 +
  // 8 experts + router 32,768 + norms 8192 = 1,451,270,144 parameters * 2 B.
  const TransformerSpec mx = preset("mixtral-8x7b");
  CHECK(expert_weight_bytes(mx) == Bytes{352321536});
  CHECK(layer_weight_bytes(mx) == Bytes{2902540288});
}

TEST_CASE("transformer: Llama 2 7B decode step at context 1000, op by op") {
  const PassCost p = decode_step(preset("llama2-7b"), 1000, 1);
  REQUIRE(p.layers == 32);
  std::vector<std::string> names;
  for (const OpCost& o : p.layer) names.push_back(o.name);
  CHECK(names == std::vector<std::string>{"q_proj", "k_proj", "v_proj", "attn_scores", "attn_softmax",
                                          "attn_values", "o_proj", "mlp_gate", "mlp_up", "mlp_down"});
  // Q: 4096 x 4096 fp16 weights = 33,554,432 B, 2 * 4096 * 4096 = 33,554,432 FLOP; reads the weights and
  // one 4096-value row (8192 B), writes one row.
  const OpCost& q = op(p, "q_proj");
  CHECK(q.flops == Flop{33554432});
  CHECK(q.weight_bytes == Bytes{33554432});
  CHECK(q.bytes_read == Bytes{33554432 + 8192});
  CHECK(q.bytes_written == Bytes{8192});
  // K writes the new token's K to the cache: 32 heads x 128 x 2 B = 8192 B.
  CHECK(op(p, "k_proj").bytes_written == Bytes{8192});
  // Scores: 32 heads x 1000 positions x 2 * 128 = 8,192,000 FLOP; reads q (8192 B) and the K cache,
  // 1000 x 32 x 128 x 2 B = 8,192,000 B; writes 32 x 1000 fp16 scores = 64,000 B.
  const OpCost& scores = op(p, "attn_scores");
  CHECK(scores.flops == Flop{8192000});
  CHECK(scores.bytes_read == Bytes{8192 + 8192000});
  CHECK(scores.bytes_written == Bytes{64000});
  CHECK(scores.weight_bytes == Bytes{0});
  // Softmax: 5 FLOP per score, 32,000 scores; reads and writes them.
  const OpCost& softmax = op(p, "attn_softmax");
  CHECK(softmax.flops == Flop{160000});
  CHECK(softmax.bytes_read == Bytes{64000});
  CHECK(softmax.bytes_written == Bytes{64000});
  // Weighted sum: 8,192,000 FLOP; reads the probabilities and the V cache (8,192,000 B); writes 32 x 128.
  const OpCost& values = op(p, "attn_values");
  CHECK(values.flops == Flop{8192000});
  CHECK(values.bytes_read == Bytes{64000 + 8192000});
  CHECK(values.bytes_written == Bytes{8192});
  // The cache read per layer and sequence is c x kv_heads x head_dim x 2 values (K and V) x 2 B.
  CHECK(scores.bytes_read.count + values.bytes_read.count - 8192 - 64000 == 1000LL * 32 * 128 * 2 * 2);
  // MLP: gate 2 * 4096 * 11008 = 90,177,536 FLOP and as many bytes of weights; writes 11008 values.
  const OpCost& gate = op(p, "mlp_gate");
  CHECK(gate.flops == Flop{90177536});
  CHECK(gate.bytes_read == Bytes{90177536 + 8192});
  CHECK(gate.bytes_written == Bytes{22016});
  const OpCost& down = op(p, "mlp_down");
  CHECK(down.bytes_read == Bytes{90177536 + 22016});
  CHECK(down.bytes_written == Bytes{8192});
  // LM head: 2 * 4096 * 32000 = 262,144,000 FLOP over 262,144,000 B of weights; the embedding reads one row.
  CHECK(op(p, "lm_head").flops == Flop{262144000});
  CHECK(op(p, "lm_head").weight_bytes == Bytes{262144000});
  CHECK(op(p, "embed").bytes_read == Bytes{8192});
  CHECK(op(p, "embed").flops == Flop{0});
  // Every multiplied weight is read once per step: 6,607,077,376 * 2 B, plus the embedding row.
  CHECK(p.weight_bytes() == Bytes{2 * 6607077376LL + 8192});
}

TEST_CASE("transformer: decode FLOPs are 2 x active weights + attention") {
  // Per token: 2 FLOP per multiplied weight, 1 per bias, and per layer and head per attended position
  // 2 * head_dim (score) + 5 (softmax) + 2 * head_dim (weighted sum) = 4 * 128 + 5 = 517.
  SECTION("Llama 2 7B, context 1000") {
    // 2 * 6,607,077,376 + 32 layers * 32 heads * 1000 * 517 = 13,214,154,752 + 529,408,000.
    const TransformerSpec s = preset("llama2-7b");
    CHECK(decode_step(s, 1000, 1).flops() == Flop{13743562752});
    CHECK(decode_flops(s, 1000, 1) == Flop{13743562752});
    // A batch of 4 sequences at the same context: four times the work (each has its own cache).
    CHECK(decode_step(s, 1000, 4).flops() == Flop{4 * 13743562752LL});
  }
  SECTION("Mixtral 8x7B, context 4096: two experts' MLPs and the router") {
    // Multiplied weights: 32 * (41,943,040 + 2 * 176,160,768 + 32,768) + 131,072,000 = 12,748,587,008;
    // 2 * that + 32 * 32 * 4096 * 517 = 25,497,174,016 + 2,168,455,168 = 27,665,629,184.
    const TransformerSpec s = preset("mixtral-8x7b");
    CHECK(param_counts(s).active_matmul_weights() == 12748587008);
    CHECK(decode_step(s, 4096, 1).flops() == Flop{27665629184});
  }
  SECTION("GPT-3 175B, context 2048: biases add one FLOP each, the tied head still multiplies") {
    // 2 * 174,563,733,504 + 10,616,832 + 96 * 96 * 2048 * 517
    // = 349,127,467,008 + 10,616,832 + 9,758,048,256 = 358,896,132,096.
    const TransformerSpec s = preset("gpt3-175b");
    CHECK(decode_step(s, 2048, 1).flops() == Flop{358896132096});
    CHECK(decode_flops(s, 2048, 1) == Flop{358896132096});
  }
  SECTION("every preset: the op list sums to the closed form") {
    for (const TransformerPreset& p : transformer_presets()) {
      INFO(p.name);
      for (std::int64_t c : {1, 777, 4096}) {
        for (std::int64_t b : {1, 3}) {
          CHECK(decode_step(p.spec, c, b).flops() == decode_flops(p.spec, c, b));
        }
      }
    }
  }
}

TEST_CASE("transformer: MoE decode reads the weights of the experts a batch can touch") {
  const TransformerSpec s = preset("mixtral-8x7b");
  // One expert's up matrix: 4096 x 14336 bf16 = 117,440,512 B. One token: its 2 experts.
  CHECK(op(decode_step(s, 100, 1), "mlp_up").weight_bytes == Bytes{2 * 117440512LL});
  // 3 tokens: 6 token-expert pairs, at most 6 distinct experts.
  CHECK(op(decode_step(s, 100, 3), "mlp_up").weight_bytes == Bytes{6 * 117440512LL});
  // 4 tokens or more: 8 pairs cover all 8 experts; no more weights than exist.
  CHECK(op(decode_step(s, 100, 4), "mlp_up").weight_bytes == Bytes{8 * 117440512LL});
  CHECK(op(decode_step(s, 100, 64), "mlp_up").weight_bytes == Bytes{8 * 117440512LL});
  // FLOPs follow the pairs, not the experts: 64 tokens x 2 experts x 2 * 4096 * 14336.
  CHECK(op(decode_step(s, 100, 64), "mlp_up").flops == Flop{128LL * 117440512});
  // The router: 2 * 4096 * 8 = 65,536 FLOP per token; dense models have none.
  CHECK(op(decode_step(s, 100, 1), "router").flops == Flop{65536});
  CHECK(decode_step(preset("llama3-8b"), 100, 1).find("router") == nullptr);
}

TEST_CASE("transformer: prefill FLOPs with causal attention") {
  // Llama 2 7B, 512 prompt tokens: the matmuls run on 512 rows: 512 * 2 * (6,607,077,376 - 131,072,000);
  // the LM head on the last row only: 2 * 131,072,000; causal attention: 512 * 513 / 2 = 131,328 scores per
  // head: 32 * 32 * 131,328 * 517. Total 6,701,217,742,848.
  const TransformerSpec s = preset("llama2-7b");
  const PassCost p = prefill(s, 512, 1);
  CHECK(p.flops() == Flop{6701217742848});
  CHECK(prefill_flops(s, 512, 1) == Flop{6701217742848});
  // Causal half, diagonal included: 32 heads * 131,328 * 2 * 128 per layer for the scores.
  CHECK(op(p, "attn_scores").flops == Flop{32LL * 131328 * 256});
  // Full (non-causal) attention would be 512 * 512 = 262,144 scores: the causal count is just over half.
  CHECK(op(p, "attn_softmax").flops == Flop{32LL * 131328 * 5});
  // Weights are read once for the whole prompt; activations are 512 rows.
  CHECK(op(p, "q_proj").bytes_read == Bytes{33554432 + 512LL * 8192});
  CHECK(op(p, "lm_head").flops == Flop{262144000});
  // K and V of all 512 positions go to the cache: 512 * 8192 B each.
  CHECK(op(p, "v_proj").bytes_written == Bytes{512LL * 8192});
  // Batched: every sequence does the same work.
  CHECK(prefill(s, 512, 2).flops() == Flop{2 * 6701217742848LL});
  for (const TransformerPreset& pr : transformer_presets()) {
    INFO(pr.name);
    for (std::int64_t n : {1, 33, 2048}) CHECK(prefill(pr.spec, n, 2).flops() == prefill_flops(pr.spec, n, 2));
  }
}

TEST_CASE("transformer: prefill of one token is a decode step at context 1") {
  for (const TransformerPreset& pr : transformer_presets()) {
    INFO(pr.name);
    const PassCost a = prefill(pr.spec, 1, 3);
    const PassCost b = decode_step(pr.spec, 1, 3);
    REQUIRE(a.layer.size() == b.layer.size());
    for (std::size_t i = 0; i < a.layer.size(); ++i) {
      INFO(a.layer[i].name);
      CHECK(a.layer[i].name == b.layer[i].name);
      CHECK(a.layer[i].flops == b.layer[i].flops);
      CHECK(a.layer[i].bytes_read == b.layer[i].bytes_read);
      CHECK(a.layer[i].bytes_written == b.layer[i].bytes_written);
      CHECK(a.layer[i].weight_bytes == b.layer[i].weight_bytes);
    }
    CHECK(a.bytes_read() == b.bytes_read());
    CHECK(a.bytes_written() == b.bytes_written());
  }
}

TEST_CASE("transformer: quantized causal scores are stored row by row") {
  // TinyLlama with q8_0 activations, a 40-token prompt: score rows of 1..32 values take one 34 B block
  // each (32 blocks), rows of 33..40 values two (8 rows, 16 blocks): 48 blocks * 34 B = 1632 B per head;
  // 32 heads: 52,224 B.
  TransformerSpec s = preset("tinyllama-1.1b");
  s.activation_format = NumberFormat::q8_0;
  const PassCost p = prefill(s, 40, 1);
  CHECK(op(p, "attn_scores").bytes_written == Bytes{52224});
  CHECK(op(p, "attn_softmax").bytes_read == Bytes{52224});
  // A decode step at context 40 stores each head's 40 scores as one row: 2 blocks = 68 B, 32 heads 2176 B.
  CHECK(op(decode_step(s, 40, 1), "attn_scores").bytes_written == Bytes{2176});
}

TEST_CASE("transformer: the op list sums to the pass totals") {
  const PassCost p = decode_step(preset("mixtral-8x7b"), 300, 2);
  std::int64_t flops = 0, read = 0, written = 0, weights = 0;
  for (const OpCost& o : p.layer) {
    flops += o.flops.count * p.layers;
    read += o.bytes_read.count * p.layers;
    written += o.bytes_written.count * p.layers;
    weights += o.weight_bytes.count * p.layers;
  }
  for (const auto* list : {&p.pre, &p.post}) {
    for (const OpCost& o : *list) {
      flops += o.flops.count;
      read += o.bytes_read.count;
      written += o.bytes_written.count;
      weights += o.weight_bytes.count;
    }
  }
  CHECK(p.flops() == Flop{flops});
  CHECK(p.bytes_read() == Bytes{read});
  CHECK(p.bytes_written() == Bytes{written});
  CHECK(p.weight_bytes() == Bytes{weights});
  // work() hands an op to the roofline unchanged.
  const hw::ComputeWork w = op(p, "mlp_down").work();
  CHECK(w.flops == op(p, "mlp_down").flops);
  CHECK(w.bytes_read == op(p, "mlp_down").bytes_read);
  CHECK(w.bytes_written == op(p, "mlp_down").bytes_written);
}

TEST_CASE("transformer: defaults for kv_heads and head_dim") {
  TransformerSpec s{.vocab = 100, .d_model = 64, .layers = 2, .heads = 4, .d_ff = 256, .max_context = 16};
  // kv_heads 0: as many as heads (4); head_dim 0: 64 / 4 = 16.
  CHECK(s.resolved_kv_heads() == 4);
  CHECK(s.resolved_head_dim() == 16);
  CHECK(validate(s).empty());
  // K is 64 -> 4 * 16 = 64 wide; fp16 cache: 2 * 64 * 2 B = 256 B per token per layer.
  CHECK(param_counts(s).k.weights == 64 * 64);
  CHECK(kv_bytes_per_token_per_layer(s) == Bytes{256});
}

TEST_CASE("transformer: validation names the offending field") {
  const auto keys = [](const TransformerSpec& s) {
    std::vector<std::string> out;
    for (const SpecProblem& p : validate(s)) out.push_back(p.key);
    return out;
  };
  TransformerSpec s = preset("llama3-8b");
  s.kv_heads = 5;  // 32 heads are not a multiple of 5
  CHECK(keys(s) == std::vector<std::string>{"kv_heads"});
  s = preset("mixtral-8x7b");
  s.experts_per_token = 9;
  CHECK(keys(s) == std::vector<std::string>{"experts_per_token"});
  s = preset("llama2-7b");
  s.heads = 3;  // 4096 / 3 is not whole; an explicit head_dim is needed (the preset's 128 keeps it valid)
  s.kv_heads = 3;
  CHECK(keys(s).empty());
  s.head_dim = 0;
  CHECK(keys(s) == std::vector<std::string>{"head_dim"});
  s = preset("llama2-7b");
  s.vocab = 0;
  s.layers = -1;
  CHECK(keys(s) == std::vector<std::string>{"vocab", "layers"});
  // The cost functions refuse an unusable spec and bad run sizes as broken invariants.
  CHECK_THROWS_AS(param_counts(s), InternalError);
  CHECK_THROWS_AS(decode_step(preset("llama2-7b"), 0, 1), InternalError);
  CHECK_THROWS_AS(prefill(preset("llama2-7b"), 1, 0), InternalError);
}

TEST_CASE("transformer: counts beyond 64 bits throw instead of wrapping") {
  // Llama 3.1 405B prefill of 131072 tokens x 64 sequences: about 2 * 4.04e11 * 131072 * 64 = 6.8e18 FLOP
  // of matmuls plus 126 * 128 * 8.6e9 * 517 * 64 = 4.6e18 of attention, more than 2^63 - 1 = 9.2e18. Each op
  // fits (the largest, one layer's attn_scores, is 64 * 128 * 8.6e9 * 256 = 1.8e16), the total does not.
  const TransformerSpec s = preset("llama3.1-405b");
  const PassCost p = prefill(s, 131072, 64);
  CHECK_THROWS_AS(p.flops(), InternalError);
  CHECK_THROWS_AS(prefill_flops(s, 131072, 64), InternalError);
  // One sequence of the full context fits: 6.8e18 / 64 + 4.6e18 / 64 = 1.8e17.
  CHECK(prefill(s, 131072, 1).flops() == prefill_flops(s, 131072, 1));
}
