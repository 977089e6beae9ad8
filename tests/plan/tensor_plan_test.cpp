#include <catch2/catch.hpp>
#include <variant>

#include "printing.hpp"
#include "shardsim/plan/tensor_plan.hpp"
#include "shardsim/workload/transformer_preset.hpp"

using namespace shardsim;

namespace {

// One decode step of `batch` sequences with `context` tokens in the cache.
workload::PassShape decode(std::int64_t batch, std::int64_t context) {
  return {workload::PassKind::decode, batch, context};
}

// Sums a field of the compute ops of a block whose label starts with `prefix` (e.g. "k_proj" matches k_proj0..).
template <class Field>
std::int64_t sum(const plan::Block& block, const std::string& prefix, Field field) {
  std::int64_t total = 0;
  for (const plan::Op& op : block.ops) {
    if (op.label.rfind(prefix, 0) != 0) continue;
    if (const auto* c = std::get_if<plan::ComputeOp>(&op.kind)) total += field(c->work);
  }
  return total;
}
std::int64_t flops(const hw::ComputeWork& w) { return w.flops.count; }
std::int64_t bytes_read(const hw::ComputeWork& w) { return w.bytes_read.count; }

plan::PlanSpec degree(int t) {
  plan::PlanSpec p;
  p.strategy = "tensor";
  p.nodes = t;
  p.algorithm = collective::Algorithm::ring;
  return p;
}

}  // namespace

TEST_CASE("tensor plan: the ranks' shares add up to the unsplit decode step (Llama 2 7B, 4 ways)") {
  // Llama 2 7B has 32 heads and 32 KV heads: every op splits 4 ways with nothing replicated, so summing the four
  // ranks' ops of one layer gives exactly workload::decode_step's layer op, FLOP for FLOP and byte for byte.
  const workload::TransformerSpec spec = *workload::find_transformer_preset("llama2-7b");
  const plan::PlannedWorkload p = plan::build_tensor_plan(spec, decode(1, 1024), degree(4));
  const workload::PassCost pass = workload::decode_step(spec, 1024, 1);
  REQUIRE(p.graph.blocks.size() == 3);
  const plan::Block& layer = p.graph.blocks[1];
  CHECK(layer.repeat == 32);
  for (const workload::OpCost& c : pass.layer) {
    INFO(c.name);
    CHECK(sum(layer, c.name, flops) == c.flops.count);
    CHECK(sum(layer, c.name, bytes_read) == c.bytes_read.count);
  }
  // Two all-reduces per layer, of one token's d_model activations.
  std::size_t reduces = 0;
  for (const plan::Op& op : layer.ops) {
    if (const auto* c = std::get_if<plan::CollectiveOp>(&op.kind)) {
      CHECK(c->spec.kind == collective::CollectiveKind::all_reduce);
      CHECK(c->spec.pieces.at(0) == hw::bytes_for(spec.activation_format, 4096));
      ++reduces;
    }
  }
  CHECK(reduces == 2);
  // The LM head is split by vocabulary: 32000 / 4 = 8000 logits per rank, gathered to rank 0.
  CHECK(sum(p.graph.blocks[2], "lm_head", flops) == pass.find("lm_head")->flops.count);
}

TEST_CASE("tensor plan: KV heads are replicated when there are fewer than ranks (Llama 3 8B, 16 ways)") {
  // 32 query heads, 8 KV heads, 16 ranks: each rank holds 2 query heads and 1 KV head, so each KV head is held by
  // 2 ranks and the K/V projections are computed twice in all; query-side work still adds up to the whole once.
  const workload::TransformerSpec spec = *workload::find_transformer_preset("llama3-8b");
  const plan::PlannedWorkload p = plan::build_tensor_plan(spec, decode(1, 512), degree(16));
  const workload::PassCost pass = workload::decode_step(spec, 512, 1);
  const plan::Block& layer = p.graph.blocks[1];
  CHECK(sum(layer, "k_proj", flops) == 2 * pass.find("k_proj")->flops.count);
  CHECK(sum(layer, "v_proj", bytes_read) == 2 * pass.find("v_proj")->bytes_read.count);
  CHECK(sum(layer, "q_proj", flops) == pass.find("q_proj")->flops.count);
  CHECK(sum(layer, "attn_scores", flops) == pass.find("attn_scores")->flops.count);
  // The KV cache of a token: 2 x 32 layers x 8 x 128 x 2 B = 131072 B; 512 tokens = 64 MiB, held once per KV head
  // pair of ranks: 64 MiB / 8 per rank.
  CHECK(p.footprint[0].kv_cache == Bytes{131072 * 512 / 8});
}

TEST_CASE("tensor plan: degrees that do not split the heads are refused with the reason") {
  const workload::TransformerSpec spec = *workload::find_transformer_preset("llama3-8b");
  CHECK(plan::tensor_plan_problem(spec, 4).empty());
  CHECK(plan::tensor_plan_problem(spec, 3) == "heads (32) must be divisible by the tensor-parallel degree (3)");
  CHECK(plan::tensor_plan_problem(spec, 0) == "the tensor-parallel degree (0) must be at least 1");
}

TEST_CASE("tensor plan: every rank holds its share of the weights, and the shares add up") {
  // Llama 2 7B on 4 ranks: the layers' weights and the LM head are split; the token embedding (32000 x 4096)
  // and the norms are replicated. So the ranks hold the total plus 3 extra copies of the replicated parts.
  const workload::TransformerSpec spec = *workload::find_transformer_preset("llama2-7b");
  const plan::PlannedWorkload p = plan::build_tensor_plan(spec, decode(1, 1024), degree(4));
  const workload::ParamCounts c = workload::param_counts(spec);
  std::int64_t held = 0;
  for (const plan::RankFootprint& f : p.footprint) held += f.params;
  const std::int64_t replicated = c.token_embedding + c.final_norm + spec.layers * c.layer_norms;
  CHECK(held == c.total() + 3 * replicated);
}
