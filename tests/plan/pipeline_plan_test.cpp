#include <catch2/catch.hpp>
#include <variant>

#include "printing.hpp"
#include "problem_text.hpp"
#include "shardsim/plan/pipeline_plan.hpp"
#include "shardsim/workload/transformer_preset.hpp"

using namespace shardsim;

namespace {

// One decode step of `batch` sequences with `context` tokens in the cache.
workload::PassShape decode(std::int64_t batch, std::int64_t context) {
  return {workload::PassKind::decode, batch, context};
}

struct Totals {
  std::int64_t flops = 0;
  std::int64_t weight_bytes = 0;
  std::int64_t messages = 0;
};

Totals totals(const plan::PlannedWorkload& p) {
  Totals t;
  for (const plan::Block& b : p.graph.blocks) {
    for (const plan::Op& op : b.ops) {
      if (const auto* c = std::get_if<plan::ComputeOp>(&op.kind)) {
        t.flops += c->work.flops.count * b.repeat;
        t.weight_bytes += c->work.weight_bytes.count * b.repeat;
      } else {
        ++t.messages;
      }
    }
  }
  return t;
}

plan::PlanSpec stages(int s, int micro) {
  plan::PlanSpec p;
  p.strategy = "pipeline";
  p.nodes = s;
  p.micro_batches = micro;
  return p;
}

}  // namespace

TEST_CASE("pipeline plan: the stages compute the whole decode step, and micro-batches re-read the weights") {
  const workload::TransformerSpec spec = *workload::find_transformer_preset("llama2-7b");
  const workload::PassCost whole = workload::decode_step(spec, 1024, 4);
  const workload::PassCost one = workload::decode_step(spec, 1024, 1);
  // 4 stages, 1 micro-batch of 4 rows: exactly the decode step's FLOPs and weight reads, and 3 messages.
  const Totals a = totals(plan::build_pipeline_plan(spec, decode(4, 1024), stages(4, 1)));
  CHECK(a.flops == whole.flops().count);
  CHECK(a.weight_bytes == whole.weight_bytes().count);
  CHECK(a.messages == 3);
  // 4 micro-batches of 1 row: the same FLOPs (every op is linear in the rows), 4 times the weight reads of a
  // 1-row step, and 3 messages per micro-batch.
  const Totals b = totals(plan::build_pipeline_plan(spec, decode(4, 1024), stages(4, 4)));
  CHECK(b.flops == whole.flops().count);
  CHECK(b.weight_bytes == 4 * one.weight_bytes().count);
  CHECK(b.messages == 12);
}

TEST_CASE("pipeline plan: layers are cut into balanced contiguous stages") {
  // Llama 2 7B has 32 layers: on 5 stages, 7, 7, 6, 6, 6 (the first 32 % 5 = 2 stages take one more). Stage 0 also
  // holds the token embedding, the last the final norm and LM head.
  const workload::TransformerSpec spec = *workload::find_transformer_preset("llama2-7b");
  const plan::PlannedWorkload p = plan::build_pipeline_plan(spec, decode(1, 1024), stages(5, 1));
  const workload::ParamCounts c = workload::param_counts(spec);
  REQUIRE(p.footprint.size() == 5);
  CHECK(p.footprint[0].params == 7 * c.layer_total() + c.token_embedding);
  CHECK(p.footprint[1].params == 7 * c.layer_total());
  CHECK(p.footprint[2].params == 6 * c.layer_total());
  CHECK(p.footprint[4].params == 6 * c.layer_total() + c.final_norm + c.lm_head.total());
  std::int64_t held = 0;
  for (const auto& f : p.footprint) held += f.params;
  CHECK(held == c.total());
  // The KV cache follows the layers: 7 x 1024 tokens x 2 x 4096 x 2 B.
  CHECK(p.footprint[0].kv_cache == Bytes{7LL * 1024 * 2 * 4096 * 2});
}

TEST_CASE("pipeline plan: impossible shapes are refused with the reason") {
  const workload::TransformerSpec spec = *workload::find_transformer_preset("tinyllama-1.1b");
  CHECK(testing::problem_text(plan::pipeline_plan_problem(spec, 4, 1, 4, 2)).empty());
  CHECK(testing::problem_text(plan::pipeline_plan_problem(spec, 23, 1, 1, 1)) == "more stages (23) than layers (22)");
  CHECK(testing::problem_text(plan::pipeline_plan_problem(spec, 2, 1, 6, 4)) == "the batch (6) must be divisible by micro_batches (4)");
}
