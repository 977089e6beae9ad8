// The training plan against closed forms: FLOPs conserved by every layout, gradient bytes synchronised, training
// state per node under each ZeRO stage, activations kept by each schedule.
#include <catch2/catch.hpp>
#include <variant>

#include "printing.hpp"
#include "tiny_transformer.hpp"
#include "problem_text.hpp"
#include "shardsim/plan/training_plan.hpp"
#include "shardsim/workload/training_cost.hpp"

using namespace shardsim;

namespace {

workload::TransformerSpec tiny() { return testing::tiny_transformer(); }

struct Totals {
  std::int64_t flops = 0;
  std::int64_t optimizer_flops = 0;
  std::int64_t gradient_bytes = 0;  // reduced over the data-parallel groups, per group member
  int gradient_collectives = 0;
  int weight_gathers = 0;
};

Totals totals(const plan::PlannedWorkload& p) {
  Totals t;
  for (const plan::Block& b : p.graph.blocks) {
    for (const plan::Op& op : b.ops) {
      if (const auto* c = std::get_if<plan::ComputeOp>(&op.kind)) {
        (op.phase == plan::Phase::optimizer ? t.optimizer_flops : t.flops) += c->work.flops.count * b.repeat;
      } else if (op.phase == plan::Phase::gradient_sync) {
        const auto& spec = std::get<plan::CollectiveOp>(op.kind).spec;
        if (spec.kind == collective::CollectiveKind::all_gather) {
          ++t.weight_gathers;
        } else {
          ++t.gradient_collectives;
          t.gradient_bytes += spec.pieces.at(0).count;
        }
      }
    }
  }
  return t;
}

// `tensor` is each replica's tensor group of nodes / replicas (one stage); `pipeline` stages of `tensor` nodes.
plan::PlanSpec layout(const std::string& strategy, int nodes, int replicas, int tensor = 1, int micro = 1) {
  plan::PlanSpec p;
  p.strategy = strategy;
  p.nodes = nodes;
  p.data_parallel = replicas;
  p.tensor_degree = strategy == "tensor" ? nodes / replicas : tensor;
  p.micro_batches = micro;
  p.algorithm = collective::Algorithm::ring;
  return p;
}

const workload::TrainingRun kRun{3, {workload::Optimizer::adam, workload::Precision::mixed}, false};

}  // namespace

TEST_CASE("training plan: data parallelism computes the batch's FLOPs once and updates every replica") {
  const workload::TransformerSpec spec = tiny();
  const std::int64_t params = workload::param_counts(spec).total();
  // 4 replicas of 1 node, 8 sequences of 3 tokens: the passes are linear in the sequences, so the 4 replicas' 2
  // sequences each compute training_flops(8 sequences) exactly. Each replica updates all parameters: 12 FLOP each
  // (Adam).
  const Totals t = totals(plan::build_training_plan(spec, kRun, 8, layout("tensor", 4, 4)));
  CHECK(t.flops == workload::training_flops(spec, 8, 3).count);
  CHECK(t.optimizer_flops == 4 * 12 * params);
  // One bucket (25 MB is far more than the model's 2 x params bytes of bf16 gradients), all-reduced.
  CHECK(t.gradient_collectives == 1);
  CHECK(t.gradient_bytes == 2 * params);
}

TEST_CASE("training plan: micro-batches and pipeline stages conserve FLOPs") {
  const workload::TransformerSpec spec = tiny();
  // 2 stages of one layer each, 4 micro-batches of 1 sequence: still the 4 sequences' FLOPs.
  const Totals t = totals(plan::build_training_plan(spec, kRun, 4, layout("pipeline", 2, 1, 1, 4)));
  CHECK(t.flops == workload::training_flops(spec, 4, 3).count);
  CHECK(t.gradient_collectives == 0);  // one replica: nothing to synchronise
}

TEST_CASE("training plan: a tensor group splits the passes, replicating only the embedding's gradient") {
  const workload::TransformerSpec spec = tiny();
  const workload::ParamCounts c = workload::param_counts(spec);
  // T = 2 over the 2 heads and 2 KV heads: every op is split in two exactly, except embed.grad, the scatter-add of
  // the rows' gradient into the embedding (replicated: both ranks hold the table): rows x d_model = 2 x 3 x 8 = 48
  // FLOP more.
  const plan::PlannedWorkload p = plan::build_training_plan(spec, kRun, 2, layout("tensor", 2, 1));
  const Totals t = totals(p);
  CHECK(t.flops == workload::training_flops(spec, 2, 3).count + 48);
  // Parameters held: each rank half of the layers' matrices and of the LM head, all of the norms and the embedding.
  const std::int64_t replicated = c.layers * c.layer_norms + c.token_embedding + c.final_norm;
  REQUIRE(p.footprint.size() == 2);
  CHECK(p.footprint[0].params + p.footprint[1].params == c.total() + replicated);
  CHECK(t.optimizer_flops == 12 * (c.total() + replicated));
}

TEST_CASE("training plan: ZeRO stages shard the optimizer state, then the gradients, then the weights") {
  const workload::TransformerSpec spec = tiny();
  const std::int64_t params = workload::param_counts(spec).total();
  // Mixed-precision Adam: 2 B weights, 2 B gradients, 12 B master + moments per parameter. Over 4 replicas a
  // sharded component holds balanced_share(params, 4, rank) parameters' worth.
  for (int zero = 0; zero <= 3; ++zero) {
    INFO("ZeRO stage " << zero);
    plan::PlanSpec plan = layout("tensor", 4, 4);
    plan.zero = zero;
    const plan::PlannedWorkload p = plan::build_training_plan(spec, kRun, 4, plan);
    REQUIRE(p.footprint.size() == 4);
    std::int64_t weights = 0, gradients = 0, optimizer = 0;
    for (const auto& f : p.footprint) {
      weights += f.weights.count;
      gradients += f.gradients.count;
      optimizer += f.optimizer.count;
    }
    CHECK(optimizer == (zero >= 1 ? 12 : 4 * 12) * params);
    CHECK(gradients == (zero >= 2 ? 2 : 4 * 2) * params);
    CHECK(weights == (zero >= 3 ? 2 : 4 * 2) * params);
    const Totals t = totals(p);
    // ZeRO 1-2 reduce-scatter the gradients (the same bytes per member as the all-reduce) and all-gather the updated
    // weights; ZeRO 3 also gathers each of the 2 layers' weights before its forward and its backward.
    CHECK(t.gradient_bytes == 2 * params);
    CHECK(t.weight_gathers == (zero == 0 ? 0 : 1) + (zero == 3 ? 2 * 2 : 0));
    // Each replica updates its quarter of the parameters (ZeRO >= 1) or all of them.
    CHECK(t.optimizer_flops == (zero >= 1 ? 12 * params : 4 * 12 * params));
  }
}

TEST_CASE("training plan: gradient buckets follow the bucket size") {
  const workload::TransformerSpec spec = tiny();
  const std::int64_t params = workload::param_counts(spec).total();
  plan::PlanSpec plan = layout("tensor", 2, 2);
  // Buckets of at least 1 byte: one per gradient piece, in the order the backward completes them: the LM head with
  // the final norm, layer 1, layer 0, the embedding: 4 all-reduces, together every gradient once.
  plan.gradient_bucket = Bytes{1};
  const Totals t = totals(plan::build_training_plan(spec, kRun, 2, plan));
  CHECK(t.gradient_collectives == 4);
  CHECK(t.gradient_bytes == 2 * params);
}

TEST_CASE("training plan: GPipe keeps every micro-batch's activations, 1F1B at most the stages in flight") {
  const workload::TransformerSpec spec = tiny();
  const workload::ActivationMemory am = workload::activation_memory(spec, 1, 3, false);
  // 2 stages of 1 layer, 4 micro-batches of 1 sequence. GPipe: stage 0 holds 4 micro-batches of its layer;
  // 1F1B: stage 0 at most 2 (S - s), stage 1 one; the last stage also holds the loss's tensors (head).
  plan::PlanSpec plan = layout("pipeline", 2, 1, 1, 4);
  plan.schedule = plan::Schedule::gpipe;
  const plan::PlannedWorkload g = plan::build_training_plan(spec, kRun, 4, plan);
  CHECK(g.footprint.at(0).activations == am.per_layer * 4);
  CHECK(g.footprint.at(1).activations == am.per_layer * 4 + am.head);
  plan.schedule = plan::Schedule::one_f_one_b;
  const plan::PlannedWorkload f = plan::build_training_plan(spec, kRun, 4, plan);
  CHECK(f.footprint.at(0).activations == am.per_layer * 2);
  CHECK(f.footprint.at(1).activations == am.per_layer * 1 + am.head);
}

TEST_CASE("training plan: impossible layouts are refused with the reason") {
  const workload::TransformerSpec spec = tiny();
  CHECK(testing::problem_text(plan::training_plan_problem(spec, 8, layout("tensor", 4, 4))).empty());
  CHECK(testing::problem_text(plan::training_plan_problem(spec, 8, layout("tensor", 4, 3))) ==
        "data_parallel (3) must divide the nodes (4)");
  CHECK(testing::problem_text(plan::training_plan_problem(spec, 6, layout("tensor", 4, 4))) ==
        "the batch (6 sequences) must be divisible by data_parallel x micro_batches (4)");
  // 3 heads' worth of degree: 2 heads cannot be split 4 ways.
  CHECK_THAT(testing::problem_text(plan::training_plan_problem(spec, 8, layout("tensor", 4, 1))),
             Catch::Contains("divisible by the tensor-parallel degree (4)"));
}

TEST_CASE("training plan: expert parallelism mirrors the dispatch and combine in the backward") {
  // The tiny model with 4 experts, 2 per token, on 2 nodes (experts 0 and 2 on node 0, 1 and 3 on node 1).
  workload::TransformerSpec spec = tiny();
  spec.experts = 4;
  spec.experts_per_token = 2;
  plan::PlanSpec plan = layout("expert", 2, 1);
  plan.routing = plan::Routing::worst;  // every token to experts 1 and 3, both on node 1
  const plan::PlannedWorkload p = plan::build_expert_training_plan(spec, kRun, 2, plan);
  // FLOPs: each token's 2 experts run its rows, so the passes' FLOPs are the model's (experts_per_token pairs).
  const Totals t = totals(p);
  CHECK(t.flops == workload::training_flops(spec, 2, 3).count);
  // Messages: per layer, experts 1 and 3 each get their rows (dispatch), return them (combine), get the outputs'
  // gradient (combine.grad) and return the inputs' (dispatch.grad): 2 x 4 x 2 layers = 16, each 6 rows x 8 values
  // x 2 B (bf16) = 96 B.
  int messages = 0;
  for (const plan::Op& op : p.graph.blocks.at(0).ops) {
    if (const auto* c = std::get_if<plan::CollectiveOp>(&op.kind)) {
      ++messages;
      CHECK(c->spec.pieces.at(0) == Bytes{96});
    }
  }
  CHECK(messages == 16);
  // Parameters: node 1 holds experts 1 and 3 of both layers; node 0 the rest.
  const workload::ParamCounts c = workload::param_counts(spec);
  REQUIRE(p.footprint.size() == 2);
  CHECK(p.footprint[1].params == 2 * 2 * c.mlp_per_expert());
  CHECK(p.footprint[0].params + p.footprint[1].params == c.total());
  CHECK(testing::problem_text(plan::expert_training_problem(spec, 2, layout("expert", 2, 2))) ==
        "expert-parallel training runs one replica: data_parallel must be 1");
}
