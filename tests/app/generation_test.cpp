// Generations (prefill, then a decode step per token) and the scenario keys that describe them, on a transformer
// given by its dimensions, checked against FLOP counts worked out by hand.
#include <catch2/catch.hpp>

#include "cli_run.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/report/writers.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

// One node computing 1 FLOP per ns, with memory so fast (1e18 B/s) and no per-op overhead, so that every op
// takes its FLOPs in ns (its bytes add at most 1 ps of rounding each).
constexpr const char* kOneNode = R"(
[node_types.flat]
ram = "1 GB"
memory_bandwidth = "1000000 TB/s"
flop_rate = "1 GFLOP/s"

[[star]]
nodes = 1
node_type = "flat"
bandwidth = "1 Gbit/s"
)";

// A tiny model by its dimensions: vocab 16, d_model 8, one layer, 2 query heads sharing 1 KV head of 4 values,
// a SwiGLU MLP of 16, no biases, rotary positions, untied head.
constexpr const char* kTiny = R"(topology = "one.toml"
[transformer]
vocab = 16
d_model = 8
layers = 1
heads = 2
kv_heads = 1
head_dim = 4
d_ff = 16
max_context = 64
weights = "fp32"
kv_cache = "fp32"
activations = "fp32"
)";

double figure(const report::Result& r, std::string_view name) { return r.figures.at(*metric_index(name)); }

}  // namespace

TEST_CASE("generation: time to first token and every decode step follow the FLOPs of the passes") {
  TempDir dir;
  dir.write("one.toml", kOneNode);
  const std::string path = dir.write("gen.toml", std::string(kTiny) + "[plan]\nstrategy = \"tensor\"\nnodes = 1\n"
                                                                      "[run]\nprompt_tokens = 4\ngenerated_tokens = 3\n");
  const scenario::Scenario s = scenario::load(path);
  CHECK(s.run.context == 6);  // the last decode step: 4 prompt + 3 generated - 1
  const report::Result r = study::run_scenario(s);
  // Weights one token multiplies (transformer_spec.hpp's active_matmul_weights):
  //   q 8x8 = 64, k 8x4 = 32, v 8x4 = 32, o 8x8 = 64, gate, up 8x16 = 128 each, down 16x8 = 128: 576 per layer;
  //   LM head 8x16 = 128; total 704.
  // Attention per score: 2 x 4 (q.k) + 5 (softmax) + 2 x 4 (weights x v) = 21 FLOP; 2 heads, 1 layer.
  // Prefill of P = 4: P x 2 x 576 (the layer's matmuls on 4 rows) + 2 x 128 (the head on the last row only)
  //   + 2 heads x P(P+1)/2 = 10 scores x 21 = 4608 + 256 + 420 = 5284 FLOP -> 5.284 us.
  // Decode at context c: 2 x 704 + 2 heads x c scores x 21 = 1408 + 42 c: c = 5 -> 1618, c = 6 -> 1660 FLOP.
  REQUIRE(r.generation.has_value());
  CHECK(r.generation->time_to_first_token.seconds() == Approx(5.284e-6).epsilon(1e-4));
  REQUIRE(r.generation->decode.size() == 2);
  CHECK(r.generation->decode[0].seconds() == Approx(1.618e-6).epsilon(1e-4));
  CHECK(r.generation->decode[1].seconds() == Approx(1.660e-6).epsilon(1e-4));
  // The last step is the one reported in detail.
  CHECK(r.stats.token_latency == r.generation->decode[1]);
  CHECK(figure(r, "decode_latency_mean") == Approx(1.639e-6).epsilon(1e-4));
  CHECK(figure(r, "decode_latency_min") == Approx(1.618e-6).epsilon(1e-4));
  CHECK(figure(r, "decode_latency_max") == Approx(1.660e-6).epsilon(1e-4));
  // Nearest rank of 2: the median is the 1st (ceil(0.5 x 2) = 1), the p95 the 2nd.
  CHECK(figure(r, "decode_latency_median") == Approx(1.618e-6).epsilon(1e-4));
  CHECK(figure(r, "decode_latency_p95") == Approx(1.660e-6).epsilon(1e-4));
  CHECK(figure(r, "decode_tokens_per_second") == Approx(2 / (1.618e-6 + 1.660e-6)).epsilon(1e-4));
  CHECK(figure(r, "generation_time") == Approx(5.284e-6 + 1.618e-6 + 1.660e-6).epsilon(1e-4));
  // The KV cache at the end holds 6 tokens x K and V x 1 head x 4 values x 4 B = 192 B.
  CHECK(r.footprint.at(0).kv_cache == Bytes{192});
}

TEST_CASE("generation: a pipeline of tensor groups computes what one node computes") {
  // Four nodes as 2 stages of 2; the same tiny model with 2 layers. The split divides every op's FLOPs except
  // the K and V projections: 1 KV head for 2 ranks is replicated on both (tensor_group.hpp). One node's last
  // decode step (context 6) is 2 x (2 x 576 + 128) + 2 layers x 2 heads x 6 x 21 = 2560 + 504 = 3064 FLOP; the
  // replicas add 2 layers x 2 x (32 + 32) = 256: 3320.
  TempDir dir;
  dir.write("one.toml", std::string(kOneNode).replace(std::string(kOneNode).find("nodes = 1"), 9, "nodes = 4"));
  const std::string path =
      dir.write("gen.toml", std::string(kTiny).replace(std::string(kTiny).find("layers = 1"), 10, "layers = 2") +
                                "[plan]\nstrategy = \"pipeline\"\nnodes = 4\ntensor_degree = 2\n"
                                "[run]\nprompt_tokens = 4\ngenerated_tokens = 3\n");
  const scenario::Scenario s = scenario::load(path);  // the result points into it
  const report::Result r = study::run_scenario(s);
  std::int64_t flops = 0;
  for (const exec::NodeStats& n : r.stats.nodes) flops += n.flops.count;
  CHECK(flops == 3320);
  // Payload sent, of one decode step (1 row of 8 fp32 values = 32 B of activations):
  //   - each stage's two all-reduces (one layer per stage), ring of 2: each rank sends half of 32 B in the
  //     reduce-scatter and half in the all-gather, 32 B per all-reduce: 64 B per node;
  //   - stage 0's rank r sends the 32 B activations to stage 1's rank r (nodes 0 -> 2, 1 -> 3);
  //   - the LM head's logits, 16 values split 8 / 8, gathered to node 2: node 3 sends 8 x 4 = 32 B.
  CHECK(r.stats.nodes.at(0).payload_sent == Bytes{96});
  CHECK(r.stats.nodes.at(1).payload_sent == Bytes{96});
  CHECK(r.stats.nodes.at(2).payload_sent == Bytes{64});
  CHECK(r.stats.nodes.at(3).payload_sent == Bytes{96});
  // Received: the all-reduces' 64 B each, and 32 B from stage 0 at nodes 2 and 3, and the logits at node 2.
  CHECK(r.stats.nodes.at(0).payload_received == Bytes{64});
  CHECK(r.stats.nodes.at(1).payload_received == Bytes{64});
  CHECK(r.stats.nodes.at(2).payload_received == Bytes{128});
  CHECK(r.stats.nodes.at(3).payload_received == Bytes{96});
  std::ostringstream text;
  report::write_text(text, r);
  CHECK_THAT(text.str(), Catch::Contains("pipeline of 2 stages of 2 tensor-parallel nodes"));
  CHECK_THAT(text.str(), Catch::Contains("time to first token (prefill)"));
}

TEST_CASE("generation: seeded expert routing varies from token to token, reproducibly") {
  // 8 experts, 2 per token, on 4 nodes: each decode step draws its own experts (seed + step), so the latencies
  // differ between steps, and a second run gives the same ones.
  TempDir dir;
  dir.write("one.toml", std::string(kOneNode).replace(std::string(kOneNode).find("nodes = 1"), 9, "nodes = 4"));
  const std::string path = dir.write(
      "moe.toml", std::string(kTiny) + "experts = 8\nexperts_per_token = 2\n[plan]\nstrategy = \"expert\"\nnodes = 4\n"
                                       "[run]\nprompt_tokens = 2\ngenerated_tokens = 12\n");
  const report::Result a = study::run_scenario(scenario::load(path));
  const report::Result b = study::run_scenario(scenario::load(path));
  REQUIRE(a.generation->decode.size() == 11);
  CHECK(a.generation->decode == b.generation->decode);
  CHECK(a.generation->decode_quantile(1.0 / 11) < a.generation->decode_quantile(1.0));
  CHECK(figure(a, "decode_latency_min") <= figure(a, "decode_latency_median"));
  CHECK(figure(a, "decode_latency_median") <= figure(a, "decode_latency_p95"));
  CHECK(figure(a, "decode_latency_p95") <= figure(a, "decode_latency_max"));
}

TEST_CASE("generation: bad run and transformer keys are errors at their position") {
  TempDir dir;
  dir.write("one.toml", kOneNode);
  const std::string base = std::string(kTiny) + "[plan]\nstrategy = \"tensor\"\nnodes = 1\n";
  // kTiny has 13 lines, the plan 3 more: [run] is line 17, its first key line 18. Errors point at the value.
  check_error(input_error([&] {
                scenario::load(dir.write("a.toml", base + "[run]\nprompt_tokens = 4\n"));
              }),
              dir.path("a.toml"), 18, 17, {"run.prompt_tokens", "give generated_tokens too"});
  check_error(input_error([&] {
                scenario::load(dir.write("b.toml", base + "[run]\nprompt_tokens = 4\ngenerated_tokens = 1\n"));
              }),
              dir.path("b.toml"), 19, 20, {"run.generated_tokens", "between 2 and"});
  check_error(input_error([&] {
                scenario::load(dir.write("c.toml", base + "[run]\ncontext = 9\nprompt_tokens = 4\ngenerated_tokens = 2\n"));
              }),
              dir.path("c.toml"), 18, 11, {"run.context", "leave context out"});
  // Without a preset the essential dimensions are required.
  std::string no_heads = std::string(kTiny);
  no_heads.erase(no_heads.find("heads = 2\n"), 10);
  check_error(input_error([&] { scenario::load(dir.write("d.toml", no_heads)); }), dir.path("d.toml"), 2, 1,
              {"transformer.heads"});
  // Dimensions that do not make a model name their key.
  check_error(input_error([&] {
                scenario::load(dir.write("e.toml", std::string(kTiny).replace(std::string(kTiny).find("kv_heads = 1"),
                                                                              12, "kv_heads = 3")));
              }),
              dir.path("e.toml"), 7, 12, {"transformer.kv_heads", "multiple of kv_heads"});
  // A generation figure expected of a single decode step.
  check_error(input_error([&] {
                scenario::load(dir.write("f.toml", base + "[expect]\ntime_to_first_token = { max = \"1 s\" }\n"));
              }),
              dir.path("f.toml"), 18, 23, {"time_to_first_token", "only a generation"});
}

TEST_CASE("generation: a KV cache beyond RAM is read from storage, as weights beyond RAM are") {
  // Before, a cache larger than RAM was charged at RAM speed. Now (plan/memory_fit.hpp) the activations stay
  // resident, then the cache, then the weights; what does not fit streams from storage at every use.
  // The tiny model decoding one token at context 1000: its cache is 1000 positions x K and V x 1 KV head x 4
  // values x 4 B = 32000 B. The node computes so fast (1 PFLOP/s) that every op is bound by memory, RAM at
  // 1 GB/s (1 B/ns), storage at 1 MB/s (1 B/us), with no overlap slack (compute_memory_overlap 1) and no per-op
  // overhead: an op takes its RAM bytes in ns plus its storage bytes in us.
  auto run = [](const std::string& node_extra) {
    TempDir dir;
    dir.write("one.toml", std::string(R"(
[node_types.flat]
memory_bandwidth = "1 GB/s"
flop_rate = "1 PFLOP/s"
)") + node_extra + R"(
[[star]]
nodes = 1
node_type = "flat"
bandwidth = "1 Gbit/s"
)");
    std::string model = kTiny;
    model.replace(model.find("max_context = 64"), 16, "max_context = 4096");
    return study::run_scenario(scenario::load(
        dir.write("kv.toml", model + "[plan]\nstrategy = \"tensor\"\nnodes = 1\n[run]\ncontext = 1000\n")));
  };
  const report::Result resident = run("ram = \"1 GB\"\n");
  REQUIRE(resident.footprint.at(0).kv_cache == Bytes{32000});
  CHECK(figure(resident, "fits") == 1);
  CHECK(figure(resident, "storage_read_bytes") == 0);
  const Bytes activations = resident.footprint.at(0).activations;

  // RAM = activations + 16000 B: the cache keeps 16000 of its 32000 B (half of it streams) and no weight stays.
  // A token reads the whole cache once (K in attn_scores, V in attn_values): 16000 B from storage. It reads every
  // weight it multiplies once (576 per layer + the 128 of the LM head, generation test above) = 704 x 4 B =
  // 2816 B, all from storage, and the embedding's one row of 8 x 4 B = 32 B: 16000 + 2816 + 32 = 18848 B.
  const std::string small = "ram = \"" + std::to_string(activations.count + 16000) + " B\"\nstorage_bandwidth = \"1 MB/s\"\n";
  const report::Result streamed = run(small);
  CHECK(figure(streamed, "fits") == 0);
  CHECK(figure(streamed, "storage_read_bytes") == 18848);
  // Every byte that moves from RAM (1 ns) to storage (1 us) adds 999 ns: 18848 x 999 ns = 18.829152 ms more.
  // Before, only the weights' 2848 B moved: 2.845152 ms more.
  const double extra = streamed.stats.token_latency.seconds() - resident.stats.token_latency.seconds();
  CHECK(extra == Approx(18848 * 999e-9).epsilon(1e-6));

  // Without storage the node "does not fit", reported, and is simulated as if everything were resident.
  const report::Result no_storage = run("ram = \"" + std::to_string(activations.count + 16000) + " B\"\n");
  CHECK(figure(no_storage, "fits") == 0);
  CHECK(figure(no_storage, "storage_read_bytes") == 0);
  CHECK(no_storage.stats.token_latency == resident.stats.token_latency);
}

TEST_CASE("generation: the trace covers the prefill and every decode step, one after another") {
  // The generation of the first test case: prefill 5.284 us, then tokens 2 (1.618 us) and 3 (1.660 us). Before,
  // the trace held only the last step. Now its runs follow each other: the prefill's blocks first, labelled
  // "prefill: ", then "token 2: ", then "token 3: " (the step reported in detail), and the trace ends at the
  // generation's time.
  TempDir dir;
  dir.write("one.toml", kOneNode);
  const std::string path = dir.write("gen.toml", std::string(kTiny) + "[plan]\nstrategy = \"tensor\"\nnodes = 1\n"
                                                                      "[run]\nprompt_tokens = 4\ngenerated_tokens = 3\n");
  exec::Trace trace;
  const report::Result r = study::run_scenario(scenario::load(path), &trace);
  REQUIRE(r.generation.has_value());
  const Time total = r.generation->time_to_first_token + r.generation->decode_total();
  CHECK(total.seconds() == Approx(5.284e-6 + 1.618e-6 + 1.660e-6).epsilon(1e-4));
  CHECK(trace.end == total);
  std::vector<std::string> runs;
  for (const std::string& name : trace.block_names) {
    const std::string run = name.substr(0, name.find(": "));
    if (runs.empty() || runs.back() != run) runs.push_back(run);
  }
  CHECK(runs == std::vector<std::string>{"prefill", "token 2", "token 3"});
  // Each run's spans lie within its own interval of the time axis.
  const Time prefill_end = r.generation->time_to_first_token;
  const Time step2_end = prefill_end + r.generation->decode[0];
  for (const exec::TraceSpan& s : trace.spans) {
    const std::string& block = trace.block_names[static_cast<std::size_t>(s.block)];
    if (block.rfind("prefill: ", 0) == 0) CHECK(s.end <= prefill_end);
    if (block.rfind("token 2: ", 0) == 0) CHECK((s.begin >= prefill_end && s.end <= step2_end));
    if (block.rfind("token 3: ", 0) == 0) CHECK((s.begin >= step2_end && s.end <= total));
  }

  // From the command line, with --trace-repeat (once or all; anything else is refused).
  CHECK(testing::cli({"run", path, "--trace", dir.path("t.json"), "--trace-repeat", "all"}).code == 0);
  CHECK_THAT(testing::slurp(dir.path("t.json")), Catch::Contains("\"block\":\"token 3: "));
  const testing::Outcome bad = testing::cli({"run", path, "--trace", dir.path("t.json"), "--trace-repeat", "some"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--trace-repeat: expected once or all, not 'some'"));
}
