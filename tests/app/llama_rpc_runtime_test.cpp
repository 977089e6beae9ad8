// llama.cpp's RPC backend as a plan (plan.runtime = "llama.cpp-rpc", src/plan/llama_rpc_runtime.cpp): the layer
// split llama-model.cpp computes, the bytes the client exchanges with each rpc-server per token (ggml-rpc.cpp's
// framing, worked out by hand below), and its limits as errors at the key.
#include <catch2/catch.hpp>

#include "shardsim/study/pipeline.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

const std::string kSource = SHARDSIM_SOURCE_DIR;

// Llama 2 7B q4_0 on Pi 5 8 GB boards (all alike, so the default split is even), context 32.
std::string rpc_file(int nodes, const std::string& extra = "") {
  return "topology = \"" + kSource + "/topologies/pi5-8gb-switch8.toml\"\n" + R"([transformer]
preset = "llama2-7b"
weights = "q4_0"
activations = "q8_0"
[plan]
runtime = "llama.cpp-rpc"
nodes = )" + std::to_string(nodes) + "\n" + extra + "[run]\ncontext = 32\n";
}

std::string plan_line(const scenario::Scenario& s) {
  return plan::strategy_of(s.plan).describe(study::model_of(s), s.plan, s.run);
}

}  // namespace

TEST_CASE("llama.cpp-rpc: layers split as llama-model.cpp does, the output layer counting as one") {
  TempDir dir;
  // act = 32 layers + 1 = 33; layer il goes to the first device whose cumulative share exceeds il / 33.
  // Two even shares: il / 33 < 0.5 for il <= 16: 17 layers on device 0, 15 and the output layer on device 1.
  CHECK_THAT(plan_line(scenario::load(dir.write("two.toml", rpc_file(2)))),
             Catch::Matchers::Contains("layers 17+15"));
  // Four: il / 33 < 0.25 for il <= 8 (9 layers), < 0.5 for il <= 16 (8), < 0.75 for il <= 24 (8), then 7 + output.
  CHECK_THAT(plan_line(scenario::load(dir.write("four.toml", rpc_file(4)))),
             Catch::Matchers::Contains("layers 9+8+8+7"));
  // --tensor-split 3,1: il / 33 < 0.75 for il <= 24: 25 layers, then 7 and the output layer.
  CHECK_THAT(plan_line(scenario::load(dir.write("split.toml", rpc_file(2, "tensor_split = \"3,1\"\n")))),
             Catch::Matchers::Contains("layers 25+7"));
}

TEST_CASE("llama.cpp-rpc: the client's bytes per token, from ggml-rpc.cpp's framing") {
  TempDir dir;
  // Per remote device the client sends, back to back: SET_TENSOR of the hidden state, the position and the mask
  // (each 1 + 8 header + 296 rpc_tensor + 8 offset + the data: 4 x 4096, 4, 4 x 256 mask cells), GRAPH_RECOMPUTE
  // (9 + 4) and GET_TENSOR's request (9 + 296 + 8 + 8):
  //   (313 + 16384) + (313 + 4) + (313 + 1024) + 13 + 321 = 18685 B.
  // It receives each response: 8 + 16384 = 16392 B of hidden state from every remote device but the last, and
  // 8 + 4 x 32000 = 128008 B of logits from the last.
  const report::Result two = study::run_scenario(scenario::load(dir.write("two.toml", rpc_file(2))));
  CHECK(two.stats.nodes[0].payload_sent.count == 18685);
  CHECK(two.stats.nodes[0].payload_received.count == 128008);
  const report::Result four = study::run_scenario(scenario::load(dir.write("four.toml", rpc_file(4))));
  CHECK(four.stats.nodes[0].payload_sent.count == 3 * 18685);
  CHECK(four.stats.nodes[0].payload_received.count == 2 * 16392 + 128008);
  // One device: no network at all.
  const report::Result one = study::run_scenario(scenario::load(dir.write("one.toml", rpc_file(1))));
  CHECK(one.stats.nodes[0].payload_sent.count == 0);
  // The devices run one after the other: the 4-device token is no faster than a quarter of the single board's
  // compute would be, and not faster than the single board at all (same total work, plus the handoffs).
  CHECK(four.stats.token_latency >= one.stats.token_latency);
}

TEST_CASE("llama.cpp-rpc: rpc-server's threads default to half the cores, and limits are errors at the key") {
  TempDir dir;
  CHECK_THAT(plan_line(scenario::load(dir.write("t.toml", rpc_file(2)))),
             Catch::Matchers::Contains("2 threads each"));
  check_error(input_error([&] { scenario::load(dir.write("a.toml", rpc_file(2, "tensor_split = \"1,1,1\"\n"))); }),
              dir.path("a.toml"), 9, 16, {"plan.tensor_split", "3 shares for 2 devices"});
  check_error(input_error([&] { scenario::load(dir.write("b.toml", rpc_file(2, "tensor_split = \"1,x\"\n"))); }),
              dir.path("b.toml"), 9, 16, {"plan.tensor_split", "non-negative shares"});
  // llama.cpp runs the K-quants most Pi users download (q4_k_m read as q4_k: 144 B per 256 weights).
  CHECK_NOTHROW(scenario::load(dir.write("k.toml", std::string(rpc_file(2)).replace(rpc_file(2).find("q4_0"), 4, "q4_k_m"))));
  check_error(input_error([&] { scenario::load(dir.write("c.toml", rpc_file(2, "runtime_version = \"b4000\"\n"))); }),
              dir.path("c.toml"), 9, 19, {"plan.runtime_version"});
}
