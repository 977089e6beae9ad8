// distributed-llama's plan (plan/dllama_runtime.hpp) against the bytes per token its README publishes, and its
// limits. The README prints bytes / 1024 rounded down as "kB"; the formulas of ../shared/reference/runtimes.md
// give them exactly. Q80(n) = 34 n / 32 bytes: Q80(4096) = 4352, Q80(11008) = 11696.

#include <catch2/catch.hpp>
#include <variant>

#include "printing.hpp"
#include "problem_text.hpp"
#include "shardsim/collective/collective.hpp"
#include "shardsim/plan/dllama_runtime.hpp"
#include "shardsim/workload/transformer_preset.hpp"

using namespace shardsim;

namespace {

workload::TransformerSpec preset(const char* name) {
  workload::TransformerSpec spec = *workload::find_transformer_preset(name);
  spec.weight_format = hw::NumberFormat::q4_0;
  return spec;
}

plan::PlanSpec dllama(const std::string& version, int nodes) {
  plan::PlanSpec p;
  p.strategy = "distributed-llama";
  p.nodes = nodes;
  p.runtime.version = version;
  return p;
}

// Payload node 0 sends and receives in one decode step: every message of every sync, times its block's repeat.
struct RootBytes {
  std::int64_t sent = 0;
  std::int64_t received = 0;
  std::int64_t messages_sent = 0;
};
RootBytes root_bytes(const plan::PlannedWorkload& p) {
  RootBytes out;
  for (const plan::Block& block : p.graph.blocks) {
    for (const plan::Op& op : block.ops) {
      const auto* c = std::get_if<plan::CollectiveOp>(&op.kind);
      if (!c) continue;
      for (const collective::Step& step : collective::expand(c->spec).steps) {
        if (c->members.at(static_cast<std::size_t>(step.src)) == 0) {
          out.sent += step.bytes.count * block.repeat;
          out.messages_sent += block.repeat;
        }
        if (c->members.at(static_cast<std::size_t>(step.dst)) == 0) out.received += step.bytes.count * block.repeat;
      }
    }
  }
  return out;
}

const workload::PassShape kStep{workload::PassKind::decode, 1, 16};

}  // namespace

TEST_CASE("distributed-llama 0.1.0: the root's bytes per token are the README's, Llama 2 7B") {
  // Per layer the root sends each worker xb, the attention output and the ffn input (3 Q80(dim)) and the N - 1
  // hidden slices it lacks (Q80(hid)/N each); it receives q, k, v, wo's slice, the hidden slice and w2's slice:
  //   S = 32 (N-1) [3 x 4352 + 11696 (N-1)/N],   R = 32 (N-1) (5 x 4352 + 11696) / N.
  // N = 2: S = 32 (3 x 4352 + 5848) = 604928 (590 KiB), R = 32 (21760 + 11696) / 2 = 535296 (522 KiB)
  // N = 4: S = 96 (13056 + 8772) = 2095488 (2046 KiB), R = 96 x 33456 / 4 = 802944 (784 KiB)
  // N = 8: S = 224 (13056 + 10234) = 5216960 (5094 KiB), R = 224 x 33456 / 8 = 936768 (914 KiB)
  const workload::TransformerSpec spec = preset("llama2-7b");
  struct Row {
    int nodes;
    std::int64_t sent, received;
  };
  for (const Row row : {Row{2, 604928, 535296}, Row{4, 2095488, 802944}, Row{8, 5216960, 936768}}) {
    INFO("nodes " << row.nodes);
    const RootBytes b = root_bytes(plan::build_dllama_plan(spec, kStep, dllama("0.1.0", row.nodes)));
    CHECK(b.sent == row.sent);
    CHECK(b.received == row.received);
  }
  // The README's KiB, rounded down: 590 / 522, 2046 / 784, 5094 / 914.
  CHECK(root_bytes(plan::build_dllama_plan(spec, kStep, dllama("0.1.0", 8))).sent / 1024 == 5094);
  // Messages the root sends per token at N = 8: per layer and worker 3 + 7 (its hidden slices), x 7 x 32 = 2240.
  CHECK(root_bytes(plan::build_dllama_plan(spec, kStep, dllama("0.1.0", 8))).messages_sent == 2240);
}

TEST_CASE("distributed-llama 0.7.1 and the mesh: 272 (N-1) KiB each way for Llama 3 8B, plus the mesh's extras") {
  const workload::TransformerSpec spec = preset("llama3-8b");
  // 0.7.1: per layer the root sends each worker 2 Q80(4096) and receives 2 from it: 32 x 2 x 4352 = 278528 B =
  // 272 KiB per worker, plus the 2-byte position per token.
  for (const int n : {2, 4, 8}) {
    INFO("nodes " << n);
    const RootBytes d = root_bytes(plan::build_dllama_plan(spec, kStep, dllama("0.7.1", n)));
    CHECK(d.sent == 278528 * (n - 1) + 2 * (n - 1));
    CHECK(d.received == 278528 * (n - 1));
    // The mesh (0.16.4): the same 272 KiB to and from each other node in the layers' all-to-alls, and the root also
    // sends each worker the 8-byte control packet and x as F32 (4 x 4096 = 16384 B), and receives each worker's
    // 128256 / N logits as F32: at N = 2, S = 278528 + 16392 = 294920 (288.0 KiB), R = 278528 + 256512 = 535040
    // (522.5 KiB).
    const RootBytes mesh = root_bytes(plan::build_dllama_plan(spec, kStep, dllama("0.16.4", n)));
    CHECK(mesh.sent == (278528 + 8 + 16384) * (n - 1));
    CHECK(mesh.received == 278528 * (n - 1) + 4 * 128256 / n * (n - 1));
  }
}

TEST_CASE("distributed-llama: versions map to their behaviour classes") {
  CHECK(plan::dllama_behaviour("0.1.0")->kind == plan::DllamaClass::a);
  CHECK(plan::dllama_behaviour("v0.2.0")->kind == plan::DllamaClass::a);
  CHECK(plan::dllama_behaviour("0.3.1")->kind == plan::DllamaClass::b);
  CHECK(plan::dllama_behaviour("0.3.1")->separate_qkv);
  CHECK(plan::dllama_behaviour("0.4.0")->control == Bytes{2});
  CHECK(plan::dllama_behaviour("0.6.1")->kind == plan::DllamaClass::c);
  CHECK(plan::dllama_behaviour("0.7.1")->kind == plan::DllamaClass::d);
  CHECK_FALSE(plan::dllama_behaviour("0.7.2")->caps_node_kv_heads);
  CHECK(plan::dllama_behaviour("0.7.3")->caps_node_kv_heads);
  CHECK(plan::dllama_behaviour("0.10.0")->control == Bytes{4});
  CHECK(plan::dllama_behaviour("0.11.2")->kind == plan::DllamaClass::mesh);
  CHECK(plan::dllama_behaviour("0.11.2")->default_threads == 4);
  CHECK(plan::dllama_behaviour("0.12.0")->default_threads == 1);
  CHECK(plan::dllama_behaviour("0.12.3")->send_chunk == Bytes{0});
  CHECK(plan::dllama_behaviour("0.12.4")->send_chunk == Bytes{4096});
  CHECK_FALSE(plan::dllama_behaviour("0.17.0"));
  CHECK_FALSE(plan::dllama_behaviour("0.1"));
  CHECK_FALSE(plan::dllama_behaviour("1.0.0"));
  CHECK_FALSE(plan::dllama_behaviour("0.1.0-rc"));
}

TEST_CASE("distributed-llama: its limits are problems at the key to blame") {
  const workload::TransformerSpec llama2 = preset("llama2-7b");
  const plan::DllamaBehaviour old = *plan::dllama_behaviour("0.1.0");
  const plan::DllamaBehaviour mesh = *plan::dllama_behaviour("0.16.4");
  CHECK(testing::problem_text(plan::dllama_problem(llama2, 8, old, hw::NumberFormat::q8_0)).empty());
  CHECK(plan::dllama_problem(llama2, 3, old, hw::NumberFormat::q8_0)->key == "nodes");
  // Llama 2 7B's hidden width 11008 = 344 blocks of 32: 16 nodes would cut blocks (344 / 16 is not whole).
  CHECK(testing::problem_text(plan::dllama_problem(llama2, 16, old, hw::NumberFormat::q8_0)) ==
        "d_ff (11008) must split into 16 slices of whole 32-value blocks for distributed-llama");
  // Llama 3 8B has 8 KV heads: from 0.7.3 on, 16 nodes are refused.
  CHECK(testing::problem_text(plan::dllama_problem(preset("llama3-8b"), 16, mesh, hw::NumberFormat::q8_0)) ==
        "distributed-llama (0.7.3 on) needs at most as many nodes as KV heads (8), not 16");
  CHECK(plan::dllama_problem(preset("mixtral-8x7b"), 2, mesh, hw::NumberFormat::q8_0)->key == "runtime");
  workload::TransformerSpec bf16 = llama2;
  bf16.weight_format = hw::NumberFormat::bf16;
  CHECK(plan::dllama_problem(bf16, 2, old, hw::NumberFormat::q8_0)->key == "runtime");
  CHECK(plan::dllama_problem(llama2, 2, mesh, hw::NumberFormat::fp32)->key == "buffer");
}

TEST_CASE("distributed-llama 0.1.0: the root keeps the whole F32 KV cache of 2048 positions, the workers none") {
  // Llama 2 7B: 2 (K and V) x 32 layers x 2048 positions x 4096 values x 4 B = 2147483648 B on the root.
  const plan::PlannedWorkload p =
      plan::build_dllama_plan(preset("llama2-7b"), kStep, dllama("0.1.0", 4));
  REQUIRE(p.footprint.size() == 4);
  CHECK(p.footprint[0].kv_cache == Bytes{2147483648});
  CHECK(p.footprint[1].kv_cache == Bytes{0});
  // From 0.5.0 every node holds a 1/N slice of the model's 4096 positions: 2 x 32 x 4096 x 1024 x 4 B.
  const plan::PlannedWorkload sliced =
      plan::build_dllama_plan(preset("llama2-7b"), kStep, dllama("0.7.1", 4));
  CHECK(sliced.footprint[3].kv_cache == Bytes{2LL * 32 * 4096 * 1024 * 4});
}
