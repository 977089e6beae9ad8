#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>

#include "shardsim/app/cli.hpp"
#include "shardsim/util/metric.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

using shardsim::testing::Outcome;
using shardsim::testing::cli;
using shardsim::testing::count;
using shardsim::MetricInfo;
using shardsim::metric_catalog;


// A scenario in a fresh temporary folder, naming the repository's 4-node star by absolute path.
class TempScenario {
 public:
  explicit TempScenario(const std::string& body)
      : path_(dir_.write("s.toml", "topology = \"" SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml\"\n" + body)) {}
  const std::string& path() const { return path_; }

 private:
  testing::TempDir dir_;
  std::string path_;
};

const char* kSeedLayer = R"(
[model]
preset = "seed-mlp"
[plan]
nodes = 4
[run]
batch = 6
)";

}  // namespace

TEST_CASE("check: passing expectations exit 0 and print expected and actual") {
  TempScenario s(std::string(kSeedLayer) + "[expect]\nlayer_payload_delivered_bytes = 129024\nfits = true\n");
  const Outcome o = cli({"check", s.path()});
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("ok   layer_payload_delivered_bytes"));
  CHECK_THAT(o.out, Catch::Contains("expected = 129024 B"));
  CHECK_THAT(o.out, Catch::Contains("2 passed, 0 failed"));
}

TEST_CASE("check: a failing expectation exits 1 and says where it is") {
  // The seed's payload is 129024 bytes; 129000 must fail. The latency of this layer is about a millisecond
  // (tests/golden/seed-layer-4-batch6.txt), so "at most 1 us" fails too.
  TempScenario s(std::string(kSeedLayer) +
                 "[expect]\nlayer_payload_delivered_bytes = 129000\ntoken_latency = { max = \"1 us\" }\n");
  const Outcome o = cli({"check", s.path()});
  CHECK(o.code == 1);
  CHECK_THAT(o.out, Catch::Contains("FAIL layer_payload_delivered_bytes"));
  CHECK_THAT(o.out, Catch::Contains("actual 129024 B"));
  CHECK_THAT(o.out, Catch::Contains("at " + s.path() + ":10:33"));
  CHECK_THAT(o.out, Catch::Contains("0 passed, 2 failed"));
}

TEST_CASE("bad input exits 2 with file:line:column") {
  TempScenario s("[model]\npreset = \"seed-mlp\"\nd_modle = 3\n");
  const Outcome o = cli({"run", s.path()});
  CHECK(o.code == 2);
  CHECK(o.err == s.path() + ":4:1: unknown key 'model.d_modle' (did you mean 'd_model'?)\n");
  CHECK(cli({"run", "/nonexistent/x.toml"}).code == 2);
  CHECK(cli({"frobnicate"}).code == 2);
  CHECK(cli({"run"}).code == 2);
  CHECK(cli({"run", s.path(), "--format", "yaml"}).code == 2);
  CHECK(cli({}).code == 2);
}

TEST_CASE("run: --set overrides a key as if written in the file") {
  TempScenario s(kSeedLayer);
  // Batch 64 instead of 6: the notebook's second table, payload 688128 elements = 1376256 bytes.
  const Outcome o = cli({"run", s.path(), "--set", "run.batch=64", "--format", "json"});
  REQUIRE(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("\"layer_payload_delivered_bytes\" : 1376256"));
  const Outcome bad = cli({"run", s.path(), "--set", "run.batch=lots"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("run.batch: expected an integer, got a string"));
}

TEST_CASE("verify: split layers match the single machine, bad arguments exit 2") {
  const Outcome four = cli({"verify", "--nodes", "4"});
  CHECK(four.code == 0);
  CHECK_THAT(four.out, Catch::Contains("ok: the split layer matches"));
  CHECK(cli({"verify", "--nodes", "3"}).code == 0);  // uneven: 683/683/682 and 171/171/170 columns
  CHECK(cli({"verify", "--nodes", "0"}).code == 2);
  CHECK(cli({"verify", "--nodes", "513"}).code == 2);  // more nodes than d_model columns
  CHECK(cli({"verify", "--nodes", "four"}).code == 2);
}

TEST_CASE("help and version exit 0") {
  CHECK(cli({"--help"}).code == 0);
  CHECK(cli({"run", "--help"}).code == 0);
  CHECK_THAT(cli({"check", "--help"}).out, Catch::Contains("example:"));
  CHECK(cli({"--version"}).out == "shardsim 0.1.0\n");
}

TEST_CASE("check --junit writes one testcase per check, failures with expected and actual") {
  // Two checks: 129024 B passes; 129000 fails. The file name has an ampersand to prove escaping.
  testing::TempDir dir;
  const std::string scenario = dir.write(
      "a&b.toml", std::string("topology = \"" SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml\"\n") + kSeedLayer +
                      "[expect]\nlayer_payload_delivered_bytes = 129024\nlayer_params = 2097151\n");
  const std::string xml = dir.path("check.xml");
  const Outcome o = cli({"check", scenario, "--junit", xml});
  CHECK(o.code == 1);
  std::ifstream in(xml);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
  CHECK_THAT(text, Catch::Contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
  CHECK_THAT(text, Catch::Contains("a&amp;b.toml"));
  CHECK_THAT(text, Catch::Contains("<failure message=\"expected = 2097151, actual 2097152\">"));
  // Every opened element is closed: 1 testsuites, 1 testsuite, 2 testcases.
  auto count = [&text](const std::string& s) {
    std::size_t n = 0;
    for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 1)) ++n;
    return n;
  };
  CHECK(count("<testcase ") == 2);
  CHECK(count("</testcase>") == 2);
  CHECK(count("<testsuite ") == 1);
  CHECK(count("</testsuite>") == 1);
  CHECK(count("</testsuites>") == 1);
}

TEST_CASE("check against a baseline: no more than 5 % slower") {
  // The seed layer on 4 Pis takes 1.466 ms (tests/golden). A baseline written from this run passes at +5 %;
  // a baseline whose latency is 10 % lower (the scenario became 11 % slower than it) fails.
  testing::TempDir dir;
  TempScenario s(std::string(kSeedLayer) + "[expect]\ntoken_latency = { above_baseline = 0.05 }\n");
  const std::string base = dir.path("baseline.toml");
  const Outcome skipped = cli({"check", s.path()});
  CHECK(skipped.code == 0);
  CHECK_THAT(skipped.out, Catch::Contains("skip token_latency"));
  CHECK_THAT(skipped.out, Catch::Contains("0 passed, 0 failed, 1 skipped"));
  REQUIRE(cli({"check", s.path(), "--update-baseline", base}).code == 0);
  const Outcome same = cli({"check", s.path(), "--baseline", base});
  CHECK(same.code == 0);
  CHECK_THAT(same.out, Catch::Contains("expected <= baseline 1.466 ms + 5%"));
  // Rewrite the baseline with 90 % of the latency.
  std::ifstream in(base);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("token_latency = ");
  REQUIRE(at != std::string::npos);
  const auto end = text.find('\n', at);
  const double latency = std::stod(text.substr(at + 16, end - at - 16));
  CHECK(latency == Approx(1.466e-3).epsilon(1e-3));
  text.replace(at + 16, end - at - 16, std::to_string(latency * 0.9));
  std::ofstream(base) << text;
  const Outcome slower = cli({"check", s.path(), "--baseline", base});
  CHECK(slower.code == 1);
  CHECK_THAT(slower.out, Catch::Contains("FAIL token_latency"));
}

TEST_CASE("check takes glob patterns, and a broken scenario does not hide the others") {
  testing::TempDir dir;
  const std::string star = "topology = \"" SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml\"\n";
  dir.write("a.toml", star + kSeedLayer + "[expect]\nlayer_params = 2097152\n");
  dir.write("b.toml", star + kSeedLayer + "[expect]\nlayer_params = 2097152\n");
  dir.write("c.toml", star + "[model]\npreset = \"no-such-model\"\n");
  const Outcome ok = cli({"check", dir.path("[ab].toml")});
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("2 passed, 0 failed"));
  const Outcome broken = cli({"check", dir.path("*.toml")});
  CHECK(broken.code == 2);
  CHECK_THAT(broken.out, Catch::Contains("c.toml:3:10: model.preset: unknown model preset 'no-such-model'"));
  CHECK_THAT(broken.out, Catch::Contains("2 passed, 0 failed"));
  CHECK(cli({"check", dir.path("*.nothing")}).code == 2);
}

TEST_CASE("presets lists model presets, node types and topologies with their figures") {
  const Outcome o = cli({"presets", "--dir", SHARDSIM_SOURCE_DIR "/topologies"});
  REQUIRE(o.code == 0);
  // 2 * 12288 * 49152 * 192 * 8 = 1.855e12 parameters.
  CHECK_THAT(o.out, Catch::Contains("gpt4-seed-estimate     1.855 T params, 192 layers, 2/8 experts"));
  // topologies/pi-nodes.toml: pi4-4gb has 4 GB, 4.4 GB/s, 11.8 GFLOP/s, 50 us per message each way.
  CHECK_THAT(o.out, Catch::Contains("pi4-4gb              4.000 GB   4.400 GB/s  11.8 GFLOP/s  50.000 us  50.000 us"));
  // 1024 nodes on 22 leaves of 47 (48 ports, one uplink) plus a core: 23 switches, 1024 + 22 links.
  CHECK_THAT(o.out, Catch::Contains("pi4-1024-tree-1g.toml         1024 nodes   23 switches  1046 links, diameter 4"));
  CHECK(cli({"presets", "--dir", "/nonexistent"}).code == 2);
}

TEST_CASE("explain: each op's closed-form bound and the block's estimate beside the simulated time") {
  // The seed layer on 4 Pi 4 (scenarios/seed-layer-4-batch6.toml), by hand (pi4-4gb: 11.8 GFLOP/s generic, 4.4
  // GB/s, half of the shorter of arithmetic and memory not hidden, 0.45 us per op, 50 us per message):
  //   broadcast: the root sends x (6144 B = 5 frames = 6594 B on the wire) to 3 Pis: 19782 B on pi0->switch at
  //     125 MB/s = 158.256 us, more than its CPU's 3 x 50 us;
  //   expand: 2 * 6 * 512 * 512 = 3145728 FLOP at 11.8 GFLOP/s = 266.587 us (compute-bound); 536576 B at 4.4 GB/s
  //     = 121.949 us, half of it exposed: 60.975 us; + 0.45 us = 328.012 us;
  //   all-gather: every Pi sends 3 pieces of 6144 B: 158.256 us on each uplink;
  //   reduce: the same FLOPs, 550400 B = 125.091 us, so 266.587 + 62.545 + 0.45 = 329.582 us;
  //   gather: the root receives 3 pieces: 3 x 50 us of its CPU = 150 us.
  //   Longest path: 158.256 + 328.012 + 158.256 + 329.582 + 150 = 1124.106 us.
  const Outcome o = cli({"explain", SHARDSIM_SOURCE_DIR "/scenarios/seed-layer-4-batch6.toml"});
  REQUIRE(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("busiest link pi0->switch 19.782 kB: 158.256 us"));
  CHECK_THAT(o.out, Catch::Contains("expert0.expand[0..3]         compute                      328.012 us"));
  CHECK_THAT(o.out, Catch::Contains("busiest CPU pi0 receiving: 150.000 us"));
  CHECK_THAT(o.out, Catch::Contains("longest path through the ops                                1.124 ms"));
  // The simulated 1.466 ms (tests/golden/seed-layer-4-batch6.txt) is 30.4 % above the estimate.
  CHECK_THAT(o.out, Catch::Contains("simulated                                                   1.466 ms  (+30.4%"));
}

TEST_CASE("verify --plan tensor: the Megatron split of a decoder layer matches, invalid degrees exit 2") {
  // Errors of order 3e-7 (float32 summation order; tests/plan/tensor_check_test.cpp) against the 1e-4 threshold.
  const Outcome four = cli({"verify", "--plan", "tensor", "--nodes", "4"});
  CHECK(four.code == 0);
  CHECK_THAT(four.out, Catch::Contains("8 heads (2 KV heads) of 32, SwiGLU d_ff 688, 5 tokens, 4-way"));
  CHECK_THAT(four.out, Catch::Contains("ok: the split layer matches"));
  const Outcome three = cli({"verify", "--plan", "tensor", "--nodes", "3"});
  CHECK(three.code == 2);
  CHECK(three.err == "command line: --nodes: heads (8) must be divisible by the tensor-parallel degree (3)\n");
  CHECK(cli({"verify", "--plan", "pipeline"}).code == 2);
}

TEST_CASE("compare: one scenario on several topologies, side by side") {
  // The seed layer on 4 Pis, on the 4-node star (1.466 ms: tests/golden/seed-layer-4-batch6.txt) and on the first 4
  // of 128 Pis on the same kind of star: the plan uses 4 nodes either way, so the figures are equal.
  const Outcome o = cli({"compare", SHARDSIM_SOURCE_DIR "/scenarios/seed-layer-4-batch6.toml", "--topology",
                         SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml", "--topology",
                         SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-128.toml"});
  REQUIRE(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("4 / 1 / 4"));
  CHECK_THAT(o.out, Catch::Contains("128 / 1 / 128"));
  CHECK(testing::count(o.out, "1.466 ms") == 2);
  // The root's uplink carries x to 3 Pis (3 x 6594 B) and its piece to 3 (3 x 6594 B): 39564 B on the wire.
  CHECK(testing::count(o.out, "39.564 kB") == 2);
  CHECK(testing::count(o.out, "pi0->switch") == 2);
  CHECK(cli({"compare", SHARDSIM_SOURCE_DIR "/scenarios/seed-layer-4-batch6.toml"}).code == 2);  // no --topology
  CHECK(cli({"compare", SHARDSIM_SOURCE_DIR "/scenarios/seed-layer-4-batch6.toml", "--topology", "/no/such.toml"})
            .code == 2);
}

TEST_CASE("README's metric table names every metric of the catalog") {
  const std::string readme = testing::slurp(SHARDSIM_SOURCE_DIR "/README.md");
  for (const MetricInfo& m : metric_catalog()) {
    INFO(m.name);
    // Either the whole name in backquotes, or its stem in a "`stem_elements` / `_bytes`" pair.
    const std::string name(m.name);
    const std::string stem = name.substr(0, name.rfind('_'));
    CHECK((readme.find("`" + name + "`") != std::string::npos || readme.find("`" + stem + "_elements` / `_") != std::string::npos));
  }
}

TEST_CASE("transformer scenarios: bad input is reported at its key") {
  testing::TempDir dir;
  const std::string head = "topology = \"" SHARDSIM_SOURCE_DIR "/topologies/pi4-8-switch8.toml\"\n";
  auto run = [&](const std::string& body) {
    const std::string file = dir.write("t.toml", head + body);
    return std::make_pair(file, cli({"run", file}));
  };
  {
    // Line 5 (after the topology line): `nodes = 3`, value at column 9. Llama 2 7B has 32 heads.
    const auto [file, o] = run("[transformer]\npreset = \"llama2-7b\"\n[plan]\nnodes = 3\n");
    CHECK(o.code == 2);
    CHECK(o.err == file + ":5:9: plan.nodes: heads (32) must be divisible by the tensor-parallel degree (3)\n");
  }
  {
    const auto [file, o] = run("[transformer]\npreset = \"llama2-7c\"\n");
    CHECK(o.code == 2);
    CHECK(o.err == file + ":3:10: transformer.preset: unknown transformer preset 'llama2-7c' (did you mean 'llama2-7b'?)\n");
  }
  {
    const auto [file, o] = run("[transformer]\npreset = \"llama2-7b\"\nweights = \"q3_k\"\n");
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains(":4:11: transformer.weights: unknown number format 'q3_k'"));
  }
  {
    const auto [file, o] = run("[transformer]\npreset = \"llama2-7b\"\n[model]\npreset = \"seed-mlp\"\n");
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("give either [model] (an MLP stack) or [transformer], not both"));
  }
  {
    const auto [file, o] = run("[transformer]\npreset = \"llama2-7b\"\n[plan]\nstrategy = \"seed\"\n");
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("plan.strategy: the seed plan splits a [model] MLP stack"));
  }
  {
    // Line 6: `micro_batches = 4` (value at column 17) with the default batch of 1.
    const auto [file, o] = run("[transformer]\npreset = \"llama2-7b\"\n[plan]\nstrategy = \"pipeline\"\nmicro_batches = 4\n");
    CHECK(o.code == 2);
    CHECK(o.err == file + ":6:17: plan.micro_batches: the batch (1) must be divisible by micro_batches (4)\n");
  }
  {
    // A dense model has no experts to spread: refused at the strategy (line 5, value at column 12).
    const auto [file, o] = run("[transformer]\npreset = \"llama2-7b\"\n[plan]\nstrategy = \"expert\"\n");
    CHECK(o.code == 2);
    CHECK(o.err == file + ":5:12: plan.strategy: the expert plan needs a mixture of experts (this model has one MLP per "
                          "layer)\n");
  }
  {
    // The same model on 4 of the Pis: exit 0, and the report names the plan.
    const auto [file, o] = run("[transformer]\npreset = \"tinyllama-1.1b\"\n[plan]\nnodes = 4\n");
    CHECK(o.code == 0);
    CHECK_THAT(o.out, Catch::Contains("plan      tensor parallel on 4 nodes, ring collectives, batch 1, context 1024"));
  }
}

TEST_CASE("verify --training: split gradients match the single machine, a tight tolerance exits 1, bad degrees 2") {
  // Defaults: 4 ranks x 2 replicas. Errors of order 4e-7 in float32, 7e-16 in float64, finite differences 1.3e-7
  // (tests/plan/training_check_test.cpp) against the tolerances 1e-4, 1e-10 and 1e-6.
  const Outcome o = cli({"verify", "--training"});
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("8 heads (2 KV heads) of 8, SwiGLU d_ff 176, 6 sequences of 5 tokens, 4-way "
                                    "tensor x 2 data-parallel replicas, seed 30"));
  CHECK_THAT(o.out, Catch::Contains("  tensor         float32     float64  finite diff.\n  x            "));
  for (const char* tensor : {"\n  W_q  ", "\n  W_k  ", "\n  W_v  ", "\n  W_o  ", "\n  W_gate  ", "\n  W_up  ",
                             "\n  W_down  ", "\n  gamma_1  ", "\n  gamma_2  ", "\n  largest  "}) {
    CHECK(count(o.out, tensor) == 1);
  }
  CHECK_THAT(o.out, Catch::Contains("  tolerance    1.000e-04   1.000e-10     1.000e-06\n"));
  CHECK_THAT(o.out, Catch::EndsWith("ok: the split gradients match the single machine's, which match finite "
                                    "differences\n"));
  CHECK(cli({"verify", "--training", "--nodes", "8", "--replicas", "3"}).code == 0);  // KV heads on 4 ranks each
  CHECK(cli({"verify", "--plan", "tensor", "--training", "--nodes", "1", "--replicas", "1"}).code == 0);

  // float32 rounding (~4e-7) is above a 1e-12 tolerance: the check fails, exit 1.
  const Outcome tight = cli({"verify", "--training", "--tolerance", "1e-12"});
  CHECK(tight.code == 1);
  CHECK_THAT(tight.out, Catch::EndsWith("FAIL: the split gradients differ from the single machine's\n"));

  const Outcome three = cli({"verify", "--training", "--nodes", "3"});
  CHECK(three.code == 2);
  CHECK(three.err == "command line: --nodes: heads (8) must be divisible by the tensor-parallel degree (3)\n");
  const Outcome seven = cli({"verify", "--training", "--replicas", "7"});
  CHECK(seven.code == 2);
  CHECK(seven.err == "command line: --replicas: batch (6) must be at least the data-parallel degree (7)\n");
  CHECK(cli({"verify", "--training", "--replicas", "0"}).code == 2);
  CHECK(cli({"verify", "--training", "--plan", "seed"}).code == 2);  // the seed plan has no training check
  CHECK(cli({"verify", "--training", "--iterations", "3"}).code == 2);
  CHECK(cli({"verify", "--training", "--tolerance", "0"}).code == 2);
  CHECK(cli({"verify", "--plan", "tensor", "--replicas", "2"}).code == 2);  // --replicas needs --training
}
