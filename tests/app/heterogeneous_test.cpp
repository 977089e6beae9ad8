// Plans over mixed nodes: plan.use names the nodes by rank (every strategy), plan.split weighs the layers per
// pipeline stage, or a tensor group's heads, columns and rows ("memory", "speed" or explicit weights). Every layer,
// head, column and row is assigned once, and each node's parameters, weight bytes and FLOPs are the hand-derived
// figures of what it holds.

#include <catch2/catch.hpp>

#include <stdexcept>
#include <variant>

#include "shardsim/study/pipeline.hpp"
#include "mixed_nodes.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

// Two 4 GiB boards at 5 GB/s (pi0, pi1) and a 16 GiB desktop at 35 GB/s (desk), declared in that order, on one
// switch; a transformer small enough to count: d_model 8, 8 layers, 2 heads of 4 on 2 KV heads, SwiGLU of 12,
// vocabulary 11, fp32 throughout.
// `attention` replaces the heads (the tensor cases use 4 heads of 2, on 4 KV heads); `head` the [plan] table's first line (the strategy or runtime).
std::string write_case(const testing::TempDir& dir, const std::string& plan,
                       const std::string& attention = "heads = 2\nkv_heads = 2\nhead_dim = 4\n",
                       const std::string& head = "strategy = \"pipeline\"\n") {
  dir.write("topo.toml", testing::mixed_nodes_topology());
  return dir.write("s.toml", R"(topology = "topo.toml"
[transformer]
vocab = 11
d_model = 8
layers = 8
)" + attention + R"(d_ff = 12
mlp = "swiglu"
max_context = 64
weights = "fp32"
kv_cache = "fp32"
activations = "fp32"
[run]
batch = 1
context = 16
[plan]
)" + head + plan);
}

// Parameters of one layer: attention q, k, v, o of 8 x 8 each (2 KV heads of 4 = 8 columns) = 256; SwiGLU gate,
// up and down of 8 x 12 each = 288; two RMS norms of 8 = 16. Total 560.
constexpr std::int64_t kLayerParams = 560;
// The embedding (11 x 8 = 88) on the first stage; the final norm (8) and the untied LM head (88) on the last.
constexpr std::int64_t kEmbedding = 88, kHead = 8 + 88;

}  // namespace

TEST_CASE("pipeline split \"3,1\" over the named nodes: 6 and 2 layers, each node's figures by hand") {
  testing::TempDir dir;
  const report::Result r = study::run_scenario(scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"3,1\"\n")));
  // Rank 0 is the desktop (node 2), rank 1 pi0 (node 0): plan.use, not the first two nodes.
  REQUIRE(r.plan_nodes == std::vector<plan::NodeId>{2, 0});
  // 8 layers x 3/4 = 6 and 8 x 1/4 = 2, exactly.
  CHECK(r.footprint[0].params == 6 * kLayerParams + kEmbedding);  // 3448
  CHECK(r.footprint[1].params == 2 * kLayerParams + kHead);       // 1216
  CHECK(r.footprint[0].weights.count == 4 * (6 * kLayerParams + kEmbedding));
  CHECK(r.footprint[1].weights.count == 4 * (2 * kLayerParams + kHead));
  // FLOPs: every layer costs the same, so the desktop's are 6 layers' and pi0's 2 layers' plus the LM head's
  // 2 x 11 x 8 = 176 (one row); pi1 is not used.
  const Flop desk = r.stats.nodes[2].flops, pi0 = r.stats.nodes[0].flops;
  REQUIRE(desk.count % 6 == 0);
  const std::int64_t layer = desk.count / 6;
  CHECK(pi0.count == 2 * layer + 2 * 11 * 8);
  CHECK(r.stats.nodes[1].flops.count == 0);
  // One layer at context 16: its matmuls 2 x 544 = 1088 and attention 2 x 2 x (2 heads x 4) x 16 = 512, so at
  // least 1600 (norms, rotary and SwiGLU elementwise work add a little).
  CHECK(layer >= 1600);
  CHECK(layer < 2000);
}

TEST_CASE("pipeline split by memory and by speed: stages in proportion to RAM and to bandwidth") {
  testing::TempDir dir;
  // RAM 16 : 4 GiB: 8 x 0.8 = 6.4 and 1.6 layers: floors 6 and 1, the left-over layer to the larger remainder
  // (0.6, pi0): 6 and 2.
  const scenario::Scenario memory = scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"memory\"\n"));
  CHECK(memory.plan.stage_layers == std::vector<std::int64_t>{6, 2});
  // Bandwidth 35 : 5 GB/s: 7 and 1 layers.
  const scenario::Scenario speed = scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"speed\"\n"));
  CHECK(speed.plan.stage_layers == std::vector<std::int64_t>{7, 1});
  const report::Result r = study::run_scenario(speed);
  CHECK(r.footprint[0].params == 7 * kLayerParams + kEmbedding);
  CHECK(r.footprint[1].params == 1 * kLayerParams + kHead);
  // Over identical nodes "memory" is the balanced split: the even plan (no stage_layers), one spelling per plan.
  const scenario::Scenario even = scenario::load(write_case(dir, "use = [\"pi1\", \"pi0\"]\nsplit = \"memory\"\n"));
  CHECK(even.plan.stage_layers.empty());
}

TEST_CASE("plan.use and plan.split refuse what they cannot do, at the key") {
  testing::TempDir dir;
  auto message = [&](const std::string& plan) {
    try {
      scenario::load(write_case(dir, plan));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message("use = [\"desk\", \"pi9\"]\n"), Catch::Contains("plan.use") && Catch::Contains("'pi9' is not"));
  CHECK_THAT(message("use = [\"desk\", \"desk\"]\n"), Catch::Contains("named twice"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nnodes = 3\n"), Catch::Contains("plan.nodes"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"3,1,1\"\n"), Catch::Contains("3 weights for 2 stages"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"fast\"\n"), Catch::Contains("plan.split"));
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"100,1\"\n"), Catch::Contains("would get no layer"));
  // The error names the file, line and column of the key (line 21, `split = ` is 8 characters: column 9).
  CHECK_THAT(message("use = [\"desk\", \"pi0\"]\nsplit = \"fast\"\n"), Catch::Contains("s.toml:21:9: plan.split"));
}

namespace {

const std::string kFourHeads = "heads = 4\nkv_heads = 4\nhead_dim = 2\n";
const std::string kTensor = "strategy = \"tensor\"\n";

// The op labelled `label` in the plan's blocks.
const plan::Op& op_labelled(const plan::PlannedWorkload& p, const std::string& label) {
  for (const plan::Block& b : p.graph.blocks) {
    for (const plan::Op& op : b.ops) {
      if (op.label == label) return op;
    }
  }
  FAIL("no op " << label);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("tensor split \"3,1\" over the named nodes: heads, columns and rows per node by hand") {
  // 4 heads of 2 on 4 KV heads (so the attention's q, k, v, o are still 8 x 8 and a layer still holds 560
  // parameters), over desk (rank 0) and pi0 (rank 1) weighted 3:1. No more ranks than KV heads: the KV heads split
  // 3 and 1, each with its query head. d_ff 12: 9 and 3 columns. Vocabulary 11: 8.25 and 2.75, floors 8 and 2, the
  // left-over row to the larger remainder (0.75, rank 1): 8 and 3.
  testing::TempDir dir;
  const std::string path = write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"3,1\"\n", kFourHeads, kTensor);
  const scenario::Scenario s = scenario::load(path);
  CHECK(s.plan.rank_weights == std::vector<double>{3, 1});
  const report::Result r = study::run_scenario(s);
  REQUIRE(r.plan_nodes == std::vector<plan::NodeId>{2, 0});
  // Parameters per layer: q + o (128) by heads, 96 and 32; k + v (128) by KV heads, 96 and 32; the MLP (288) by
  // columns, 216 and 72; both norms (16) on each: 424 and 152 (together 560 + the replicated 16). Outside the
  // layers: the embedding (88) and the final norm (8) on each, the LM head's 88 by rows, 8 x 8 = 64 and 3 x 8 = 24.
  CHECK(r.footprint[0].params == 8 * 424 + 88 + 8 + 64);  // 3552
  CHECK(r.footprint[1].params == 8 * 152 + 88 + 8 + 24);  // 1336
  CHECK(r.footprint[0].weights.count == 4 * 3552);
  CHECK(r.footprint[1].weights.count == 4 * 1336);
  // KV cache: K and V of 4 heads of 2 in fp32 = 64 B per token and layer, x 8 layers x 16 tokens = 8192 B, by KV
  // heads: 6144 and 2048.
  CHECK(r.footprint[0].kv_cache.count == 6144);
  CHECK(r.footprint[1].kv_cache.count == 2048);
  // Activations per row: 4 x d_model + 3 x the node's columns, fp32: (32 + 27) x 4 and (32 + 9) x 4.
  CHECK(r.footprint[0].activations.count == 236);
  CHECK(r.footprint[1].activations.count == 164);

  // FLOPs: every layer op is split 3:1 exactly (by heads, KV heads or columns, each a multiple of 4 FLOPs per
  // unit here), so the desk does 3/4 of each layer and pi0 1/4; of the LM head's 2 x 8 x 11 = 176 FLOPs, 8 rows
  // (128) and 3 rows (48). The whole layer L is what one node computes alone.
  testing::TempDir one_dir;
  const report::Result alone = study::run_scenario(
      scenario::load(write_case(one_dir, "use = [\"desk\"]\n", kFourHeads, kTensor)));
  const std::int64_t whole = alone.stats.nodes[2].flops.count;
  REQUIRE((whole - 176) % 8 == 0);
  const std::int64_t layer = (whole - 176) / 8;
  REQUIRE(layer % 4 == 0);
  CHECK(layer >= 1600);  // the matmuls (1088) and the scores and values (512) at least, as in the pipeline case
  CHECK(r.stats.nodes[2].flops.count == 8 * (3 * layer / 4) + 128);
  CHECK(r.stats.nodes[0].flops.count == 8 * (layer / 4) + 48);
  CHECK(r.stats.nodes[1].flops.count == 0);  // pi1 is not used

  // The logits gather carries each node's own rows: 8 and 3 logits of 4 bytes.
  const plan::PlannedWorkload planned = study::plan_scenario(s);
  const auto& gather = std::get<plan::CollectiveOp>(op_labelled(planned, "logits_gather").kind);
  CHECK(gather.spec.pieces == std::vector<Bytes>{Bytes{32}, Bytes{12}});
  CHECK(gather.members == std::vector<plan::NodeId>{2, 0});
}

TEST_CASE("tensor split by memory and by speed, and splits that come out even are the even plan") {
  testing::TempDir dir;
  // RAM 16 : 4 GiB (less each board's OS reserve) gives pi0 about a fifth of the 4 KV heads: 3.2 and 0.8, floors
  // 3 and 0, the left-over head to the larger remainder (0.8): 3 and 1.
  const scenario::Scenario memory = scenario::load(
      write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"memory\"\n", kFourHeads, kTensor));
  CHECK(!memory.plan.rank_weights.empty());
  CHECK(study::run_scenario(memory).footprint[0].kv_cache.count == 6144);
  // Bandwidth 35 : 5 gives 3.5 and 0.5 KV heads: the tie goes to the lower index, 4 and 0, and pi0 would hold no
  // head: refused at plan.split.
  try {
    scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"speed\"\n", kFourHeads, kTensor));
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("s.toml:21:9: plan.split: rank 1 would get no KV head of 4"));
  }
  // Alike nodes: the even plan, one spelling per plan.
  CHECK(scenario::load(write_case(dir, "use = [\"pi1\", \"pi0\"]\nsplit = \"memory\"\n", kFourHeads, kTensor))
            .plan.rank_weights.empty());
  // Three nodes: 3 does not divide the 4 heads, so the even plan is refused, but weights give each a share.
  CHECK_THROWS_AS(scenario::load(write_case(dir, "nodes = 3\n", kFourHeads, kTensor)), InputError);
  const scenario::Scenario three = scenario::load(write_case(dir, "split = \"1,1,2\"\n", kFourHeads, kTensor));
  CHECK(three.plan.rank_weights == std::vector<double>{1, 1, 2});
  // A node left without a KV head is refused at plan.split.
  try {
    scenario::load(write_case(dir, "use = [\"desk\", \"pi0\"]\nsplit = \"100,1\"\n", kFourHeads, kTensor));
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("plan.split") && Catch::Contains("rank 1 would get no KV head of 4"));
  }
}

TEST_CASE("plan.use places every strategy on the named nodes, and an unknown name fails at the key") {
  testing::TempDir dir;
  const std::string tensor = write_case(dir, "use = [\"pi1\", \"desk\"]\n", kFourHeads, kTensor);
  const report::Result r = study::run_scenario(scenario::load(tensor));
  CHECK(r.plan_nodes == std::vector<plan::NodeId>{1, 2});
  CHECK(r.stats.nodes[0].flops.count == 0);  // pi0, not named, does nothing
  CHECK(r.stats.nodes[1].flops.count > 0);
  // The even split: both named nodes compute the same FLOPs.
  CHECK(r.stats.nodes[1].flops.count == r.stats.nodes[2].flops.count);
  for (const std::string strategy : {"tensor", "pipeline", "expert"}) {
    try {
      scenario::load(write_case(dir, "use = [\"desk\", \"pi7\"]\n", kFourHeads, "strategy = \"" + strategy + "\"\n"));
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK_THAT(e.what(), Catch::Contains("s.toml:20:7: plan.use") && Catch::Contains("'pi7' is not"));
    }
  }
  // A runtime on the named node: llama.cpp's RPC with the desktop alone holds every layer on node 2.
  const report::Result rpc = study::run_scenario(scenario::load(
      write_case(dir, "use = [\"desk\"]\n", kFourHeads, "runtime = \"llama.cpp-rpc\"\n")));
  CHECK(rpc.plan_nodes == std::vector<plan::NodeId>{2});
}
