// A plan's floor (plan/plan_floor.hpp), counted before the plan is built, held to the plan once built: the run's
// memory estimate refuses on the floor alone (study::bound_run), so a floor above its plan would refuse runs that
// fit. Conservation checks over every shipped scenario and variants of the strategies that have a floor, and one
// floor worked out by hand.

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "shardsim/collective/schedule_size.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/memory_estimate.hpp"
#include "shardsim/study/pipeline.hpp"

using namespace shardsim;

namespace {

const std::string kScenarios = std::string(SHARDSIM_SOURCE_DIR) + "/scenarios/";

using Key = std::tuple<collective::CollectiveKind, collective::Algorithm, double>;  // kind, algorithm, ranks

struct BlockTally {
  double compute_ops = 0;
  std::map<Key, double> collectives;
};

BlockTally tally(const plan::Block& block) {
  BlockTally t;
  for (const plan::Op& op : block.ops) {
    if (std::holds_alternative<plan::ComputeOp>(op.kind)) {
      ++t.compute_ops;
      continue;
    }
    const collective::CollectiveSpec& c = std::get<plan::CollectiveOp>(op.kind).spec;
    ++t.collectives[Key{c.kind, c.algorithm, c.ranks()}];
  }
  return t;
}

// Whether the block holds the floor: at least its compute ops and, per (kind, algorithm, ranks), its collectives.
bool holds(const BlockTally& block, const plan::PlanFloor& floor) {
  std::map<Key, double> wanted;
  for (const plan::CollectiveFloor& c : floor.collectives) wanted[Key{c.kind, c.algorithm, c.ranks}] += c.count;
  if (block.compute_ops < floor.compute_ops) return false;
  for (const auto& [key, count] : wanted) {
    const auto found = block.collectives.find(key);
    if (found == block.collectives.end() || found->second < count) return false;
  }
  return true;
}

// The floor against the built plan; returns whether the floor knew anything.
bool check_floor(const std::string& file, const std::vector<std::string>& sets = {}) {
  std::string name = file;
  for (const std::string& s : sets) name += " --set " + s;
  INFO(name);
  const scenario::Scenario s = scenario::load(kScenarios + file, sets);
  const plan::PlanFloor floor = study::floor_scenario(s);
  const plan::PlannedWorkload planned = study::plan_scenario(s);
  // Some block holds the floor, and its compute ops are the floor's: every floor there is (training, tensor,
  // pipeline, seed) counts exactly the compute ops it builds.
  bool held = false, exact = false;
  for (const plan::Block& block : planned.graph.blocks) {
    const BlockTally t = tally(block);
    if (!holds(t, floor)) continue;
    held = true;
    exact = exact || t.compute_ops == floor.compute_ops;
  }
  CHECK(held);
  if (!floor.empty()) CHECK(exact);
  // Its bytes and counts, against the estimate of the built plan.
  const study::RunEstimate low = study::floor_run(s);
  const study::RunEstimate high = study::estimate_run(s);
  CHECK(low.lower_bound);
  CHECK_FALSE(high.lower_bound);
  CHECK(low.size.ops <= high.size.ops);
  CHECK(low.size.steps <= high.size.steps);
  CHECK(low.size.ranks <= high.size.ranks);
  CHECK(low.size.graph_bytes <= high.size.graph_bytes);
  CHECK(low.size.block_bytes <= high.size.block_bytes);
  CHECK(low.bytes <= high.bytes);
  CHECK((low.bytes > 0) == !floor.empty());
  return !floor.empty();
}

}  // namespace

TEST_CASE("plan floor: never above the built plan, for every shipped scenario") {
  int known = 0, scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios)) {
    if (entry.path().extension() != ".toml") continue;
    ++scenarios;
    known += check_floor(entry.path().filename().string());
  }
  CHECK(scenarios >= 40);
  // The training scenarios (5), the tensor transformer scenarios, the pipelines and the seed layers have a floor.
  CHECK(known >= 27);
}

TEST_CASE("plan floor: never above the built plan, data-parallel training at several sizes and settings") {
  // tinyllama-pi5-16gb-dp4-zero3 on 2, 4 and 8 of its 8 Pis, 16 on a larger star; every ZeRO stage; each algorithm
  // that does the training collectives; buckets from one per layer to one in all.
  for (const char* nodes : {"2", "4", "8", "16"}) {
    for (const char* zero : {"0", "1", "2", "3"}) {
      for (const char* algorithm : {"ring", "tree", "direct", "recursive_doubling"}) {
        CHECK(check_floor("tinyllama-pi5-16gb-dp4-zero3.toml",
                          {"topology.star.0.nodes=16", "topology.star.0.ports=16", std::string("plan.nodes=") + nodes,
                           "run.batch=16", std::string("plan.zero=") + zero,
                           std::string("plan.collective=\"") + algorithm + "\"", "train.seq_len=8"}));
      }
    }
    CHECK(check_floor("tinyllama-pi5-16gb-dp4-zero3.toml",
                      {"topology.star.0.nodes=16", "topology.star.0.ports=16", std::string("plan.nodes=") + nodes,
                       "run.batch=32", "plan.micro_batches=2", "plan.gradient_bucket=\"1 GB\"", "train.seq_len=8",
                       "train.recompute=true"}));
  }
  CHECK(check_floor("tinyllama-desktop-2-dp2.toml", {"plan.overlap_gradients=false"}));
}

TEST_CASE("plan floor: never above the built plan, tensor and pipeline plans") {
  // Inference gathers the logits (recursive doubling has no gather); hierarchical over the star's one group.
  for (const char* algorithm : {"ring", "tree", "direct", "hierarchical"}) {
    const std::string collective = std::string("plan.collective=\"") + algorithm + "\"";
    CHECK(check_floor("llama2-7b-pi4-8gb-tensor-8.toml", {collective}));
    CHECK(check_floor("llama2-7b-pi4-8gb-tensor-4.toml", {collective, "run.batch=3"}));
  }
  for (const char* algorithm : {"ring", "tree", "direct", "recursive_doubling", "hierarchical"}) {
    const std::string collective = std::string("plan.collective=\"") + algorithm + "\"";
    // Tensor training, two replicas of two; a pipeline of two stages of four, replicated twice, recomputing.
    CHECK(check_floor("tinyllama-pi5-16gb-tp4.toml", {collective, "plan.data_parallel=2", "plan.zero=3"}));
    CHECK(check_floor("llama3-8b-pi5-16gb-tp8-pp2.toml",
                      {collective, "plan.tensor_degree=4", "plan.data_parallel=2", "plan.micro_batches=2",
                       "train.recompute=true", "plan.zero=1"}));
    CHECK(check_floor("llama3-8b-pi5-16gb-tp8-pp2.toml", {collective, "plan.schedule=\"gpipe\"", "plan.nodes=8",
                                                          "plan.tensor_degree=2"}));
  }
  // Pipelines for inference: micro-batches, tensor groups in the stages, uneven stages.
  CHECK(check_floor("llama2-7b-pi4-8gb-pipeline.toml", {"plan.micro_batches=2", "run.batch=4"}));
  CHECK(check_floor("llama3-8b-pi5-tensor-4.toml", {"plan.strategy=\"pipeline\"", "plan.tensor_degree=2"}));
  CHECK(check_floor("llama2-7b-pi4-8gb-pipeline.toml", {"plan.split=\"3,1,1,1\""}));
  // The seed layer: every algorithm that does its broadcast, and a mixture's experts.
  for (const char* algorithm : {"direct", "tree", "hierarchical"}) {
    CHECK(check_floor("seed-layer-4-batch6.toml", {std::string("plan.collective=\"") + algorithm + "\""}));
  }
  CHECK(check_floor("pi5-64-mlp70b.toml"));
  // An uneven tensor split has the even split's ops and collectives.
  CHECK(check_floor("llama2-7b-pi4-8gb-tensor-4.toml", {"plan.split=\"3,1,1,1\""}));
}

TEST_CASE("plan floor: data-parallel ZeRO 3, worked out by hand") {
  // tinyllama-pi5-16gb-dp4-zero3: TinyLlama (22 layers, gated MLP, no experts) on D = 4 replicas of one node each
  // (S = T = 1), one micro-batch, ZeRO 3, ring collectives (the transformer default).
  // Compute ops per rank (workload::training_pass's lists): the forward's embed, lm_head and loss (3); per layer
  // the forward's q, k, v, scores, softmax, values, o, gate, up, down (10) and the backward's 19 (grad_input and
  // grad_weight of the 7 linear ops q, k, v, o, gate, up, down: 14; attn_values.grad_p and .grad_v,
  // attn_softmax.grad, attn_scores.grad_q and .grad_k: 5); loss.grad, lm_head.grad_input and .grad_weight, and
  // embed.grad (4); the optimizer (1): 3 + 22 x 29 + 4 + 1 = 646; over 4 ranks 2584.
  // Collectives of 4 ranks: ZeRO 3 gathers each layer's weights before its forward and again before its backward,
  // 2 x 22 = 44 all-gathers; at least one gradient bucket, reduce-scattered; the updated weights all-gathered once:
  // 45 all-gathers and 1 reduce-scatter. collective::size_bound's ring: 2 p (p - 1) = 24 steps each, 46 x 24 = 1104.
  const scenario::Scenario s = scenario::load(kScenarios + "tinyllama-pi5-16gb-dp4-zero3.toml");
  const plan::PlanFloor floor = study::floor_scenario(s);
  CHECK(floor.compute_ops == 2584);
  double all_gathers = 0, reduce_scatters = 0, others = 0;
  for (const plan::CollectiveFloor& c : floor.collectives) {
    CHECK(c.ranks == 4);
    CHECK(c.algorithm == collective::Algorithm::ring);
    (c.kind == collective::CollectiveKind::all_gather       ? all_gathers
     : c.kind == collective::CollectiveKind::reduce_scatter ? reduce_scatters
                                                            : others) += c.count;
  }
  CHECK(all_gathers == 45);
  CHECK(reduce_scatters == 1);
  CHECK(others == 0);
  const study::RunEstimate low = study::floor_run(s);
  CHECK(low.size.ops == 2584 + 46);
  CHECK(low.size.steps == 1104);
  CHECK(low.size.ranks == 4);
  // The built step has exactly those compute ops and gathers, and one reduce-scatter per gradient bucket (more
  // than one: the default bucket is smaller than the model's gradients).
  const study::RunEstimate high = study::estimate_run(s);
  CHECK(high.size.ops > low.size.ops);
  CHECK(high.size.steps > low.size.steps);
  CHECK(low.bytes < high.bytes);
}
