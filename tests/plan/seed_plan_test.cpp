#include <catch2/catch.hpp>

#include "printing.hpp"
#include <variant>

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
      if (const auto* c = std::get_if<workload::ComputeOp>(&op.kind)) {
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
