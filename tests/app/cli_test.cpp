#include <catch2/catch.hpp>
#include <sstream>

#include "shardsim/app/cli.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = app::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

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
