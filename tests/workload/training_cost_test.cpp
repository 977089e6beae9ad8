#include <catch2/catch.hpp>

#include "printing.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "shardsim/util/error.hpp"
#include "pass_lookup.hpp"
#include "shardsim/workload/transformer_preset.hpp"
#include "shardsim/workload/training_cost.hpp"

using namespace shardsim;
using namespace shardsim::workload;
using shardsim::hw::NumberFormat;
using shardsim::testing::op;
using shardsim::testing::preset;

namespace {



// A transformer small enough to derive every count by hand: vocab 11, d_model 8, 2 layers, 2 query heads sharing
// 1 KV head of head_dim 4 (Q and O 8 wide, K and V 4 wide), swiglu d_ff 12, no biases, untied. Weights and K/V
// in fp32 (4 B) and activations in fp16 (2 B), so that a tensor stored in the wrong format shows.
TransformerSpec tiny() {
  return TransformerSpec{.vocab = 11, .d_model = 8, .layers = 2, .heads = 2, .kv_heads = 1, .head_dim = 4,
                         .d_ff = 12, .mlp = MlpKind::swiglu, .max_context = 16,
                         .weight_format = NumberFormat::fp32, .kv_format = NumberFormat::fp32,
                         .activation_format = NumberFormat::fp16};
}

struct Expected {
  const char* name;
  std::int64_t flops;
  std::int64_t read;
  std::int64_t written;
  std::int64_t weights;
};

void check_ops(const std::vector<OpCost>& ops, const std::vector<Expected>& expected) {
  REQUIRE(ops.size() == expected.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    INFO(expected[i].name);
    CHECK(ops[i].name == expected[i].name);
    CHECK(ops[i].flops == Flop{expected[i].flops});
    CHECK(ops[i].bytes_read == Bytes{expected[i].read});
    CHECK(ops[i].bytes_written == Bytes{expected[i].written});
    CHECK(ops[i].weight_bytes == Bytes{expected[i].weights});
  }
}

// Matmul FLOPs of a pass: every op but the elementwise ones (softmax, loss, embedding and their gradients).
std::int64_t matmul_flops(const PassCost& p) {
  const auto elementwise = [](const std::string& n) {
    return n.starts_with("attn_softmax") || n.starts_with("loss") || n.starts_with("embed");
  };
  std::int64_t layer = 0;
  for (const OpCost& o : p.layer) {
    if (!elementwise(o.name)) layer += o.flops.count;
  }
  std::int64_t total = layer * p.layers;
  for (const auto* list : {&p.pre, &p.post}) {
    for (const OpCost& o : *list) {
      if (!elementwise(o.name)) total += o.flops.count;
    }
  }
  return total;
}

}  // namespace

TEST_CASE("training: optimizer and precision names") {
  CHECK(parse_optimizer("sgd") == Optimizer::sgd);
  CHECK(parse_optimizer("momentum") == Optimizer::momentum);
  CHECK(parse_optimizer("adam") == Optimizer::adam);
  CHECK(parse_optimizer("adamw") == Optimizer::adam);  // same state, same counted update
  CHECK(parse_optimizer("Adam") == std::nullopt);
  CHECK(parse_optimizer("lion") == std::nullopt);
  for (Optimizer o : {Optimizer::sgd, Optimizer::momentum, Optimizer::adam}) {
    CHECK(parse_optimizer(to_string(o)) == o);
  }
  CHECK(parse_precision("fp32") == Precision::fp32);
  CHECK(parse_precision("mixed") == Precision::mixed);
  CHECK(parse_precision("bf16") == std::nullopt);
  CHECK(to_string(Precision::mixed) == "mixed");
  CHECK(zero_stage(0) == ZeroStage::none);
  CHECK(zero_stage(3) == ZeroStage::three);
  CHECK(zero_stage(4) == std::nullopt);
  CHECK(zero_stage(-1) == std::nullopt);
}

TEST_CASE("training: state bytes per parameter for every optimizer and precision") {
  const auto check = [](Optimizer o, Precision p, std::int64_t w, std::int64_t g, std::int64_t master,
                        std::int64_t moments, std::int64_t total) {
    INFO(to_string(o) << " " << to_string(p));
    const StateBytesPerParam s = state_bytes_per_param({o, p});
    CHECK(s.weights == w);
    CHECK(s.gradients == g);
    CHECK(s.master == master);
    CHECK(s.moments == moments);
    CHECK(s.total() == total);
    CHECK(s.optimizer() == master + moments);
  };
  // fp32: weights 4 + gradients 4, no master; moments 0 / 4 / 8.
  check(Optimizer::sgd, Precision::fp32, 4, 4, 0, 0, 8);
  check(Optimizer::momentum, Precision::fp32, 4, 4, 0, 4, 12);
  check(Optimizer::adam, Precision::fp32, 4, 4, 0, 8, 16);
  // mixed: 16-bit weights 2 + gradients 2, fp32 master 4; moments as above. Adam 2 + 2 + 12 = 16: ZeRO §3.1's
  // "2Ψ + 2Ψ + KΨ" with K = 12.
  check(Optimizer::sgd, Precision::mixed, 2, 2, 4, 0, 8);
  check(Optimizer::momentum, Precision::mixed, 2, 2, 4, 4, 12);
  check(Optimizer::adam, Precision::mixed, 2, 2, 4, 8, 16);
  CHECK(state_bytes_per_param({Optimizer::adam, Precision::mixed}).optimizer() == 12);
}

TEST_CASE("training: balanced shares add up") {
  // 10 over 4: 10 / 4 = 2 remainder 2, so the first two parts get 3: 3, 3, 2, 2.
  CHECK(balanced_share(10, 4, 0) == 3);
  CHECK(balanced_share(10, 4, 1) == 3);
  CHECK(balanced_share(10, 4, 2) == 2);
  CHECK(balanced_share(10, 4, 3) == 2);
  // Fewer items than parts: 2 over 3 is 1, 1, 0.
  CHECK(balanced_share(2, 3, 2) == 0);
  for (std::int64_t total : {0, 1, 7, 1000003}) {
    for (std::int64_t parts : {1, 3, 8}) {
      std::int64_t sum = 0;
      for (std::int64_t i = 0; i < parts; ++i) sum += balanced_share(total, parts, i);
      CHECK(sum == total);
    }
  }
  CHECK_THROWS_AS(balanced_share(10, 4, 4), InternalError);
  CHECK_THROWS_AS(balanced_share(10, 0, 0), InternalError);
}

TEST_CASE("training: ZeRO stages shard optimizer state, then gradients, then weights") {
  // Mixed-precision Adam, 10 parameters over D = 4: ranks 0 and 1 hold a share of 3, ranks 2 and 3 of 2.
  // Per parameter: weights 2, gradients 2, optimizer (master + moments) 12.
  const OptimizerSpec adam{Optimizer::adam, Precision::mixed};
  struct Row {
    ZeroStage stage;
    std::int64_t rank;
    std::int64_t weights, gradients, optimizer;
  };
  const Row rows[] = {
      // Stage 0: every rank holds all 10: 20 + 20 + 120 = 160 B.
      {ZeroStage::none, 0, 20, 20, 120},
      {ZeroStage::none, 3, 20, 20, 120},
      // Stage 1: optimizer state 12 B x 3 = 36 on rank 0, 12 x 2 = 24 on rank 3.
      {ZeroStage::one, 0, 20, 20, 36},
      {ZeroStage::one, 3, 20, 20, 24},
      // Stage 2: gradients too, 2 x 3 = 6 and 2 x 2 = 4.
      {ZeroStage::two, 0, 20, 6, 36},
      {ZeroStage::two, 3, 20, 4, 24},
      // Stage 3: weights too, 6 and 4: rank 0 holds 6 + 6 + 36 = 48, rank 3 4 + 4 + 24 = 32.
      {ZeroStage::three, 0, 6, 6, 36},
      {ZeroStage::three, 1, 6, 6, 36},
      {ZeroStage::three, 3, 4, 4, 24},
  };
  for (const Row& r : rows) {
    INFO("stage " << static_cast<int>(r.stage) << " rank " << r.rank);
    const TrainingState s = training_state(adam, 10, r.stage, 4, r.rank);
    CHECK(s.weights == Bytes{r.weights});
    CHECK(s.gradients == Bytes{r.gradients});
    CHECK(s.optimizer == Bytes{r.optimizer});
    CHECK(s.total() == Bytes{r.weights + r.gradients + r.optimizer});
  }
  // Stage 3 over the four ranks: 48 + 48 + 32 + 32 = 160 = 10 x 16, the unsharded state exactly.
  std::int64_t sum = 0;
  for (std::int64_t rank = 0; rank < 4; ++rank) {
    sum += training_state(adam, 10, ZeroStage::three, 4, rank).total().count;
  }
  CHECK(sum == 160);
  CHECK(training_state(adam, 10).total() == Bytes{160});
  // fp32 momentum, 7 parameters over 3 (shares 3, 2, 2), stage 2: weights 4 x 7 = 28 unsharded, gradients 4 x 3
  // = 12 and optimizer 4 x 3 = 12 on rank 0; 8 and 8 on rank 2.
  const OptimizerSpec momentum{Optimizer::momentum, Precision::fp32};
  CHECK(training_state(momentum, 7, ZeroStage::two, 3, 0).total() == Bytes{28 + 12 + 12});
  CHECK(training_state(momentum, 7, ZeroStage::two, 3, 2).total() == Bytes{28 + 8 + 8});
  CHECK_THROWS_AS(training_state(adam, 10, ZeroStage::one, 4, 4), InternalError);
  CHECK_THROWS_AS(training_state(adam, -1), InternalError);
}

TEST_CASE("training: optimizer update FLOPs and bytes per parameter") {
  // 1000 parameters. FLOPs: sgd 2, momentum 4, adam 3 + 4 + 5 = 12 per parameter.
  // Bytes read: gradient + fp32 weights (master in mixed) + moments; written: weights + master + moments.
  struct Row {
    Optimizer o;
    Precision p;
    std::int64_t flops, read, written;
  };
  const Row rows[] = {
      {Optimizer::sgd, Precision::fp32, 2000, 8000, 4000},         // reads g 4 + w 4, writes w 4
      {Optimizer::momentum, Precision::fp32, 4000, 12000, 8000},   // + velocity 4 each way
      {Optimizer::adam, Precision::fp32, 12000, 16000, 12000},     // + two moments 8 each way
      {Optimizer::sgd, Precision::mixed, 2000, 6000, 6000},        // reads g 2 + master 4; writes w 2 + master 4
      {Optimizer::momentum, Precision::mixed, 4000, 10000, 10000}, // + velocity 4 each way
      {Optimizer::adam, Precision::mixed, 12000, 14000, 14000},    // + two moments 8 each way
  };
  for (const Row& r : rows) {
    INFO(to_string(r.o) << " " << to_string(r.p));
    const OpCost c = optimizer_step({r.o, r.p}, 1000);
    CHECK(c.flops == Flop{r.flops});
    CHECK(c.bytes_read == Bytes{r.read});
    CHECK(c.bytes_written == Bytes{r.written});
    CHECK(c.weight_bytes == c.bytes_read);  // all of it is per-parameter state
  }
  CHECK(optimizer_flops_per_param(Optimizer::adam) == 12);
}

TEST_CASE("training: the tiny spec's forward, op by op") {
  // rows = batch 2 x seq 3 = 6. Causal: 3 * 4 / 2 = 6 scores per head and sequence, 2 x 2 x 6 = 24 in all.
  // Activation row of 8 values: 16 B (fp16); of 12: 24 B; of 11 logits: 22 B. Weights 4 B each.
  const TrainingPass t = training_pass(tiny(), 2, 3);
  const PassCost& f = t.forward;
  CHECK(f.layers == 2);
  check_ops(f.pre, {
      // 6 token rows of 8 fp32 weights = 192 B read; 6 rows of 16 B written.
      {"embed", 0, 192, 96, 192},
  });
  check_ops(f.layer, {
      // Q: 6 * 2 * 8 * 8 = 768 FLOP; weights 8 x 8 x 4 = 256 B + input 96 B; writes 6 x 16 = 96 B.
      {"q_proj", 768, 352, 96, 256},
      // K, V: 6 * 2 * 8 * 4 = 384; weights 8 x 4 x 4 = 128 + 96; writes 6 rows x 1 KV head x 4 x 4 B = 96.
      {"k_proj", 384, 224, 96, 128},
      {"v_proj", 384, 224, 96, 128},
      // Scores: 24 * 2 * 4 = 192; reads Q 96 + K 96; writes 24 scores x 2 B = 48.
      {"attn_scores", 192, 192, 48, 0},
      {"attn_softmax", 120, 48, 48, 0},  // 24 * 5
      // Weighted sum: 192; reads P 48 + V 96; writes 6 x 8 x 2 = 96.
      {"attn_values", 192, 144, 96, 0},
      {"o_proj", 768, 352, 96, 256},
      // Gate, up: 6 * 2 * 8 * 12 = 1152; weights 8 x 12 x 4 = 384 + 96; writes 6 x 12 x 2 = 144.
      {"mlp_gate", 1152, 480, 144, 384},
      {"mlp_up", 1152, 480, 144, 384},
      // Down: 1152; weights 384 + hidden 144; writes 96.
      {"mlp_down", 1152, 528, 96, 384},
  });
  check_ops(f.post, {
      // The LM head on all 6 rows: 6 * 2 * 8 * 11 = 1056; weights 11 x 8 x 4 = 352 + 96; writes 6 x 22 = 132.
      {"lm_head", 1056, 448, 132, 352},
      // Loss: 66 logits x 5 = 330; reads 132; writes the probabilities 132 + 6 losses x 2 B = 144.
      {"loss", 330, 132, 144, 0},
  });
  // Per layer 768 + 384 + 384 + 192 + 120 + 192 + 768 + 3 * 1152 = 6264; 2 layers + 1056 + 330 = 13914.
  CHECK(f.flops() == Flop{13914});
}

TEST_CASE("training: the tiny spec's backward, op by op") {
  const TrainingPass t = training_pass(tiny(), 2, 3);
  const PassCost& b = t.backward;
  CHECK(b.layers == 2);
  check_ops(b.pre, {
      // dlogits = P - onehot: 66 FLOP; reads P (132 B), writes dlogits (132 B).
      {"loss.grad", 66, 132, 132, 0},
      // dX = dZ W^T: 1056; reads dZ 132 + W 352; writes 6 x 16 = 96.
      {"lm_head.grad_input", 1056, 484, 96, 352},
      // dW = X^T dZ: 1056; reads X 96 + dZ 132; writes the 352 B gradient.
      {"lm_head.grad_weight", 1056, 228, 352, 0},
  });
  check_ops(b.layer, {
      // Down: dH = dY W^T reads dY 96 + W 384, writes 6 x 12 x 2 = 144; dW reads H 144 + dY 96, writes 384.
      {"mlp_down.grad_input", 1152, 480, 144, 384},
      {"mlp_down.grad_weight", 1152, 240, 384, 0},
      // Up (and gate): dX reads dU 144 + W 384, writes 96; dW reads X 96 + dU 144, writes 384.
      {"mlp_up.grad_input", 1152, 528, 96, 384},
      {"mlp_up.grad_weight", 1152, 240, 384, 0},
      {"mlp_gate.grad_input", 1152, 528, 96, 384},
      {"mlp_gate.grad_weight", 1152, 240, 384, 0},
      // O: dO reads dY 96 + W 256, writes 96; dW reads O 96 + dY 96, writes 256.
      {"o_proj.grad_input", 768, 352, 96, 256},
      {"o_proj.grad_weight", 768, 192, 256, 0},
      // dP = dO V^T: 192; reads dO 96 + V 96 (fp32); writes the 24-score triangle, 48 B.
      {"attn_values.grad_p", 192, 192, 48, 0},
      // dV = P^T dO: 192 (both heads sum into the one KV head); reads P 48 + dO 96; writes dV, 6 x 4 x 2 = 48.
      {"attn_values.grad_v", 192, 144, 48, 0},
      // dS = P (dP - rowsum(dP P)): 24 x 4 = 96; reads P 48 + dP 48; writes 48.
      {"attn_softmax.grad", 96, 96, 48, 0},
      // dQ = dS K: 192; reads dS 48 + K 96; writes 96. dK = dS^T Q: reads dS 48 + Q 96; writes 6 x 4 x 2 = 48.
      {"attn_scores.grad_q", 192, 144, 96, 0},
      {"attn_scores.grad_k", 192, 144, 48, 0},
      // V, K: 384 each way; dX reads dV 48 + W 128, writes 96; dW reads X 96 + dV 48, writes 128.
      {"v_proj.grad_input", 384, 176, 96, 128},
      {"v_proj.grad_weight", 384, 144, 128, 0},
      {"k_proj.grad_input", 384, 176, 96, 128},
      {"k_proj.grad_weight", 384, 144, 128, 0},
      // Q: 768 each way; dX reads dQ 96 + W 256, writes 96; dW reads X 96 + dQ 96, writes 256.
      {"q_proj.grad_input", 768, 352, 96, 256},
      {"q_proj.grad_weight", 768, 192, 256, 0},
  });
  check_ops(b.post, {
      // Scatter-add of 6 rows of 8: 48 FLOP; reads dX 96 + the 6 gradient rows 6 x 8 x 4 = 192; writes 192.
      {"embed.grad", 48, 288, 192, 0},
  });
  // Layer: 6 x 1152 + 2 x 768 + 4 x 192 + 96 + 4 x 384 + 2 x 768 = 12384; 2 layers + 66 + 2 x 1056 + 48
  // = 26994.
  CHECK(b.flops() == Flop{26994});
  // The closed form: rows (6 M + 6 vocab + d_model) + batch layers heads T (12 head_dim + 9), with M = 2 x
  // (64 + 32 + 32 + 64 + 3 x 96) + 88 = 1048: 6 x (6288 + 66 + 8) + 2 x 2 x 2 x 6 x 57 = 38172 + 2736 = 40908
  // = 13914 + 26994.
  CHECK(training_flops(tiny(), 2, 3) == Flop{40908});
  CHECK(t.forward.flops() + t.backward.flops() == Flop{40908});
}

TEST_CASE("training: biases, learned positions and tied embeddings in the backward") {
  // The tiny dims as a GPT: gelu, biases, LayerNorm, learned positions, tied head; everything fp32 (4 B).
  TransformerSpec s = tiny();
  s.mlp = MlpKind::gelu;
  s.linear_biases = true;
  s.norm = NormKind::layer_norm;
  s.learned_positions = true;
  s.tied_embeddings = true;
  s = with_compute_format(s, Precision::fp32);
  REQUIRE(s.activation_format == NumberFormat::fp32);
  const PassCost b = training_pass(s, 2, 3).backward;
  // Q's bias gradient sums dY's 6 rows of 8: 768 + 48 = 816; writes 8 x 8 + 8 values x 4 B = 288; reads X
  // 6 x 8 x 4 = 192 + dQ 192. grad_input ignores the bias: 768 FLOP, reads dQ 192 + W 256.
  CHECK(op(b, "q_proj.grad_weight").flops == Flop{816});
  CHECK(op(b, "q_proj.grad_weight").bytes_written == Bytes{288});
  CHECK(op(b, "q_proj.grad_weight").bytes_read == Bytes{384});
  CHECK(op(b, "q_proj.grad_input").flops == Flop{768});
  CHECK(op(b, "q_proj.grad_input").bytes_read == Bytes{448});
  // K: 384 + 6 x 4 = 408; writes (32 + 4) x 4 = 144; reads X 192 + dK 6 x 4 x 4 = 96.
  CHECK(op(b, "k_proj.grad_weight").flops == Flop{408});
  CHECK(op(b, "k_proj.grad_weight").bytes_written == Bytes{144});
  CHECK(op(b, "k_proj.grad_weight").bytes_read == Bytes{288});
  // Gelu: no gate; up's bias gradient 6 x 12 = 72 more than 1152; writes (96 + 12) x 4 = 432.
  CHECK(b.find("mlp_gate.grad_input") == nullptr);
  CHECK(op(b, "mlp_up.grad_weight").flops == Flop{1224});
  CHECK(op(b, "mlp_up.grad_weight").bytes_written == Bytes{432});
  // The tied head: no bias; its gradient is the embedding's shape, 11 x 8 x 4 = 352 B.
  CHECK(op(b, "lm_head.grad_weight").flops == Flop{1056});
  CHECK(op(b, "lm_head.grad_weight").bytes_written == Bytes{352});
  CHECK(op(b, "lm_head.grad_input").weight_bytes == Bytes{352});
  // Token and position tables: 2 x 48 = 96 FLOP; reads dX 192 + 2 x 192 of gradient rows; writes 384.
  CHECK(op(b, "embed.grad").flops == Flop{96});
  CHECK(op(b, "embed.grad").bytes_read == Bytes{576});
  CHECK(op(b, "embed.grad").bytes_written == Bytes{384});
  // Closed form: M = 2 x (64 + 32 + 32 + 64 + 96 + 96) + 88 (tied) = 856; B = 2 x (8 + 4 + 4 + 8 + 12 + 8) = 88;
  // per row 6 x 856 + 2 x 88 + 6 x 11 + 2 x 8 = 5394; 6 x 5394 + 2 x 2 x 2 x 6 x (12 x 4 + 9) = 32364 + 2736.
  CHECK(training_flops(s, 2, 3) == Flop{35100});
  const TrainingPass t = training_pass(s, 2, 3);
  CHECK(t.forward.flops() + t.backward.flops() == Flop{35100});
}

TEST_CASE("training: a mixture's backward touches the experts the batch touches") {
  // The tiny spec with 4 experts, 2 per token: 6 rows make 12 token-expert pairs, touching min(4, 12) = 4
  // experts' weights. One expert's up matrix: 8 x 12 x 4 B = 384.
  TransformerSpec s = tiny();
  s.experts = 4;
  s.experts_per_token = 2;
  const PassCost b = training_pass(s, 2, 3).backward;
  std::vector<std::string> names;
  for (const OpCost& o : b.layer) names.push_back(o.name);
  CHECK(names == std::vector<std::string>{
                     "mlp_down.grad_input", "mlp_down.grad_weight", "mlp_up.grad_input", "mlp_up.grad_weight",
                     "mlp_gate.grad_input", "mlp_gate.grad_weight", "router.grad_input", "router.grad_weight",
                     "o_proj.grad_input", "o_proj.grad_weight", "attn_values.grad_p", "attn_values.grad_v",
                     "attn_softmax.grad", "attn_scores.grad_q", "attn_scores.grad_k", "v_proj.grad_input",
                     "v_proj.grad_weight", "k_proj.grad_input", "k_proj.grad_weight", "q_proj.grad_input",
                     "q_proj.grad_weight"});
  // Up, dX: 12 pairs x 2 x 8 x 12 = 2304; reads dU 12 x 12 x 2 = 288 + 4 x 384; writes 12 x 8 x 2 = 192.
  const OpCost& up_in = op(b, "mlp_up.grad_input");
  CHECK(up_in.flops == Flop{2304});
  CHECK(up_in.bytes_read == Bytes{288 + 1536});
  CHECK(up_in.bytes_written == Bytes{192});
  CHECK(up_in.weight_bytes == Bytes{1536});
  // Up, dW: 2304; reads X 192 + dU 288; writes the 4 experts' gradients.
  CHECK(op(b, "mlp_up.grad_weight").bytes_read == Bytes{480});
  CHECK(op(b, "mlp_up.grad_weight").bytes_written == Bytes{1536});
  // Router 8 -> 4 on 6 rows: 6 x 2 x 8 x 4 = 384; dX reads dlogits 6 x 4 x 2 = 48 + W 128, writes 96.
  CHECK(op(b, "router.grad_input").flops == Flop{384});
  CHECK(op(b, "router.grad_input").bytes_read == Bytes{176});
  CHECK(op(b, "router.grad_weight").bytes_written == Bytes{128});
  // One token: 2 pairs, 2 experts' weights.
  CHECK(op(training_pass(s, 1, 1).backward, "mlp_down.grad_input").weight_bytes == Bytes{2 * 384});
}

TEST_CASE("training: the forward is prefill's but for the LM head on every row and the loss") {
  const TransformerSpec s = preset("llama3-8b");
  const PassCost f = training_pass(s, 2, 64).forward;
  const PassCost p = prefill(s, 64, 2);
  REQUIRE(f.layer.size() == p.layer.size());
  for (std::size_t i = 0; i < f.layer.size(); ++i) {
    INFO(f.layer[i].name);
    CHECK(f.layer[i].name == p.layer[i].name);
    CHECK(f.layer[i].flops == p.layer[i].flops);
    CHECK(f.layer[i].bytes_read == p.layer[i].bytes_read);
    CHECK(f.layer[i].bytes_written == p.layer[i].bytes_written);
  }
  // 128 rows: 128 x 2 x 4096 x 128256 = 134,486,163,456 FLOP, where prefill runs the head on 2 rows.
  CHECK(op(f, "lm_head").flops == Flop{134486163456});
  CHECK(op(f, "lm_head").flops.count == 64 * op(p, "lm_head").flops.count);
  // Loss: 128 x 128256 logits x 5 = 82,083,840.
  CHECK(op(f, "loss").flops == Flop{82083840});
}

TEST_CASE("training: backward matmuls are exactly twice the forward's (bias-free presets)") {
  for (const char* name : {"llama3-8b", "tinyllama-1.1b", "mixtral-8x7b"}) {
    for (std::int64_t seq : {1, 100, 2048}) {
      INFO(name << " seq " << seq);
      const TrainingPass t = training_pass(preset(name), 2, seq);
      CHECK(matmul_flops(t.backward) == 2 * matmul_flops(t.forward));
    }
  }
  // With biases (GPT-3) the bias gradient costs what the bias add does: backward = 2 x (forward - biases)
  // + biases, with rows x active_biases = 3 x 10,616,832 per sequence position.
  const TransformerSpec g = preset("gpt3-175b");
  const TrainingPass t = training_pass(g, 1, 3);
  const std::int64_t biases = 3 * param_counts(g).active_biases();
  CHECK(matmul_flops(t.backward) == 2 * (matmul_flops(t.forward) - biases) + biases);
}

TEST_CASE("training: the op lists sum to the closed form for every preset") {
  for (const TransformerPreset& pr : transformer_presets()) {
    INFO(pr.name);
    for (std::int64_t seq : {1, 333, 2048}) {
      for (std::int64_t batch : {1, 3}) {
        const TrainingPass t = training_pass(pr.spec, batch, seq);
        CHECK(t.forward.flops() + t.backward.flops() == training_flops(pr.spec, batch, seq));
      }
    }
  }
}

TEST_CASE("training: Llama 3 8B step FLOPs against 6 N D at seq 2048") {
  // M = multiplied weights = 8,030,261,248 - 128256 x 4096 (embedding) - 65 x 4096 (norms) = 7,504,658,432.
  // One sequence of 2048 tokens: 6 M D = 6 x 7,504,658,432 x 2048 = 92,217,242,812,416.
  // Attention: 32 layers x 32 heads x 2048 x 2049 / 2 scores x (12 x 128 + 5 + 4) = 1024 x 2,098,176 x 1545
  // = 3,319,482,286,080 (per token 32 x 32 x 1024.5 x 1545 = 1.62e9 against 6 M = 4.50e10: 3.60 %).
  // Loss, its gradient and the embedding's: 2048 x (6 x 128256 + 4096) = 1,584,398,336.
  // Total 95,538,309,496,832.
  const TransformerSpec s = preset("llama3-8b");
  const std::int64_t m = param_counts(s).active_matmul_weights();
  CHECK(m == 7504658432);
  const Flop total = training_flops(s, 1, 2048);
  CHECK(total == Flop{95538309496832});
  const TrainingPass t = training_pass(s, 1, 2048);
  CHECK(t.forward.flops() + t.backward.flops() == total);
  // Within 4 % of 6 M D (3.601 %: the attention's 3.600 % and 0.002 % for the loss and embedding).
  const double ratio = static_cast<double>(total.count) / (6.0 * static_cast<double>(m) * 2048.0);
  CHECK(ratio > 1.0);
  CHECK(ratio < 1.04);
  CHECK(ratio == Approx(1.036013).epsilon(1e-6));
  // Against Chinchilla's N = all 8,030,261,248 parameters, 3.2 % under: the 525M-entry embedding table is
  // looked up, not multiplied.
  CHECK(static_cast<double>(total.count) / (6.0 * 8030261248.0 * 2048.0) == Approx(0.968204).epsilon(1e-5));
}

TEST_CASE("training: activation memory of the tiny spec with and without recomputation") {
  // rows 6; fp16 activations: a row of 8 is 16 B (96 B for 6 rows), of 12 is 24 B (144 B); K and V fp32:
  // 6 rows x 1 KV head x 4 x 4 B = 96 B each; P: 24 scores x 2 B = 48 B.
  // Per layer: layer input and attention-norm output 96 + 96, Q 96, K 96, V 96, P 48, attention output 96,
  // MLP-norm input and output 96 + 96, gate 144, up 144, gated product 144: 768 + 48 + 432 = 1248.
  // Head: final norm in and out 96 + 96, logits and probabilities 6 x 11 x 2 = 132 each: 456.
  const ActivationMemory full = activation_memory(tiny(), 2, 3, false);
  CHECK(full.layers == 2);
  CHECK(full.per_layer == Bytes{1248});
  CHECK(full.working == Bytes{0});
  CHECK(full.head == Bytes{456});
  CHECK(full.peak() == Bytes{2 * 1248 + 456});  // 2952
  // Recomputation keeps each layer's input (96 B) and reruns one layer: 1248 - 96 = 1152 beyond it.
  const ActivationMemory re = activation_memory(tiny(), 2, 3, true);
  CHECK(re.per_layer == Bytes{96});
  CHECK(re.working == Bytes{1152});
  CHECK(re.head == Bytes{456});
  CHECK(re.peak() == Bytes{2 * 96 + 1152 + 456});  // 1800
}

TEST_CASE("training: a mixture keeps router logits, expert outputs and every pair's hidden activations") {
  // The tiny spec with 4 experts, 2 per token: 12 pairs. Beyond the dense 768 + 48 (the 8 rows x d_model or
  // q_width tensors and P): router logits 6 x 4 x 2 = 48, expert outputs 12 x 8 x 2 = 192, gate, up and
  // product 3 x 12 x 12 x 2 = 864: 816 + 48 + 192 + 864 = 1920.
  TransformerSpec s = tiny();
  s.experts = 4;
  s.experts_per_token = 2;
  CHECK(activation_memory(s, 2, 3, false).per_layer == Bytes{1920});
  CHECK(activation_memory(s, 2, 3, true).working == Bytes{1920 - 96});
}

TEST_CASE("training: GPT-3 activations match Korthikanti et al. without dropout, causal half") {
  // fp16, s = 2048, b = 1, h = 12288, a = 96, gelu d_ff = 4h: 32 s b h + a s (s + 1) b
  // = 32 x 2048 x 12288 + 96 x 2048 x 2049 = 805,306,368 + 402,849,792 = 1,208,156,160 B per layer.
  const ActivationMemory m = activation_memory(preset("gpt3-175b"), 1, 2048, false);
  CHECK(m.per_layer == Bytes{1208156160});
  // Head: 2 x 2048 x 12288 x 2 + 2 x 2048 x 50257 x 2 = 100,663,296 + 411,705,344 = 512,368,640.
  CHECK(m.head == Bytes{512368640});
  // Recomputing, a layer keeps its input, 2048 x 12288 x 2 = 50,331,648 B.
  CHECK(activation_memory(preset("gpt3-175b"), 1, 2048, true).per_layer == Bytes{50331648});
}

TEST_CASE("training: bad sizes are broken invariants") {
  CHECK_THROWS_AS(training_pass(tiny(), 0, 3), InternalError);
  CHECK_THROWS_AS(training_pass(tiny(), 2, 0), InternalError);
  CHECK_THROWS_AS(activation_memory(tiny(), 1, 0, true), InternalError);
  CHECK_THROWS_AS(optimizer_step({}, -1), InternalError);
  TransformerSpec bad = tiny();
  bad.vocab = 0;
  CHECK_THROWS_AS(training_pass(bad, 1, 1), InternalError);
  CHECK_THROWS_AS(training_flops(bad, 1, 1), InternalError);
}
