#include <catch2/catch.hpp>

#include "printing.hpp"
#include <variant>

#include "shardsim/plan/memory_fit.hpp"
#include "shardsim/plan/seed_plan.hpp"

using namespace shardsim;

namespace {
workload::ModelSpec mlp(std::int64_t d, std::int64_t f) {
  workload::ModelSpec m;
  m.d_model = d;
  m.d_ff = f;
  return m;
}
}  // namespace

// The seed notebook's printed `info` (cells 10, 11, 12, 25), element for element.
TEST_CASE("closed forms reproduce the seed notebook's tables") {
  SECTION("512 x 2048, batch 6, 4 machines") {
    const auto f = plan::seed_layer_figures(mlp(512, 2048), 6, 4);
    CHECK(f.total_params == 2097152);
    CHECK(f.machine_params == 524288);
    CHECK(f.fraction == 0.25);
    CHECK(f.internal_bandwidth_params == 2158592);
    CHECK(f.cross_machine_bandwidth_params == 64512);
  }
  SECTION("512 x 2048, batch 64, 4 machines") {
    const auto f = plan::seed_layer_figures(mlp(512, 2048), 64, 4);
    CHECK(f.internal_bandwidth_params == 2752512);
    CHECK(f.cross_machine_bandwidth_params == 688128);
  }
  SECTION("512 x 2048, batch 6, 128 machines") {
    const auto f = plan::seed_layer_figures(mlp(512, 2048), 6, 128);
    CHECK(f.machine_params == 16384);
    CHECK(f.fraction == 0.0078125);
    CHECK(f.internal_bandwidth_params == 4063232);
    CHECK(f.cross_machine_bandwidth_params == 1969152);
  }
  SECTION("12288 x 49152, batch 1, 1024 machines") {
    const auto f = plan::seed_layer_figures(mlp(12288, 49152), 1, 1024);
    CHECK(f.total_params == 1207959552);
    CHECK(f.machine_params == 1179648);
    CHECK(f.fraction == 0.0009765625);
    CHECK(f.internal_bandwidth_params == 1270874112);
    CHECK(f.cross_machine_bandwidth_params == 62926848);
  }
}

TEST_CASE("the op graph's compute ops read exactly the closed-form memory traffic") {
  // Summing the plan's ops is an independent count of what the closed form states; uneven splits included.
  for (int nodes : {1, 3, 4, 7, 128}) {
    plan::PlanSpec spec;
    spec.nodes = nodes;
    const auto planned = plan::build_seed_plan(mlp(512, 2048), 6, spec);
    std::int64_t read = 0, flops = 0;
    for (const auto& op : planned.graph.blocks.at(0).ops) {
      if (const auto* c = std::get_if<plan::ComputeOp>(&op.kind)) {
        read += c->work.bytes_read.count;
        flops += c->work.flops.count;
      }
    }
    CHECK(read == plan::seed_layer_figures(mlp(512, 2048), 6, nodes).internal_bandwidth_params * 2);
    // 2 * batch * (d_model * d_ff) FLOP per matmul, two matmuls, however the columns are split.
    CHECK(flops == 2 * (2 * 6 * 512 * 2048));
  }
}

TEST_CASE("the seed plan's footprint: every node holds its shard of every layer and expert") {
  // GPT-4 estimate: 1179648 params per node per layer and expert, x 192 layers x 8 experts = 1811939328
  // ("1.812B params on each pi"), 2 bytes each.
  workload::ModelSpec m = mlp(12288, 49152);
  m.layers = 192;
  m.experts = 8;
  m.experts_per_token = 2;
  plan::PlanSpec spec;
  spec.nodes = 1024;
  const auto planned = plan::build_seed_plan(m, 1, spec);
  REQUIRE(planned.footprint.size() == 1024);
  CHECK(planned.footprint[0].params == 1811939328);
  CHECK(planned.footprint[1023].weights == Bytes{1811939328LL * 2});
  CHECK(planned.graph.blocks.at(0).repeat == 192);
  // Per active expert: broadcast, 1024 expands, all-gather, 1024 reduces, gather.
  CHECK(planned.graph.blocks.at(0).ops.size() == 2 * (3 + 2 * 1024));
}

TEST_CASE("what does not fit in usable RAM streams from storage, as a fraction of every weight read") {
  // 512 x 2048 fp16 on 2 nodes: each holds 1048576 params = 2097152 B of weights, plus activations
  // (512 + 2048 + 256) x 2 B = 5632 B for batch 1. Node 0: 1 MB of RAM less a 0.2 MB OS reserve = 800000 B usable:
  // 800000 - 5632 = 794368 B of weights stay; (2097152 - 794368) / 2097152 = 0.62121582... streams.
  // Node 1 has no storage: it does not fit, and nothing can stream (0).
  topo::Topology t;
  hw::NodeSpec with_storage;
  with_storage.ram = Bytes{1'000'000};
  with_storage.os_reserve = Bytes{200'000};
  with_storage.storage_bandwidth = ByteRate{1e8};
  hw::NodeSpec without = with_storage;
  without.storage_bandwidth.reset();
  t.add_node("a", with_storage, SourcePos{});
  t.add_node("b", without, SourcePos{});
  t.add_node("c", with_storage, SourcePos{});
  t.add_switch("s", {}, SourcePos{});
  for (const char* n : {"a", "b", "c"}) t.add_link(n, "s", hw::LinkSpec{ByteRate{1e9}, Time{}}, SourcePos{});
  t.seal();
  plan::PlanSpec spec;
  spec.nodes = 2;
  const auto planned = plan::build_seed_plan(mlp(512, 2048), 1, spec);
  const std::vector<hw::Streamed> f = plan::streamed_fractions(t, planned);
  REQUIRE(f.size() == 3);
  CHECK(f[0].weights == Approx((2097152.0 - 794368.0) / 2097152.0).epsilon(1e-12));
  CHECK(f[1].weights == 0.0);
  CHECK(f[2].weights == 0.0);  // not used by the plan
  for (const hw::Streamed& s : f) CHECK(s.kv_cache == 0.0);  // an MLP has no KV cache
}
