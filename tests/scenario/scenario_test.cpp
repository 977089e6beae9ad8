// Scenario files: a valid scenario loads with the values written (model preset plus overridden fields, plan,
// run, network framing, [expect] checks with units); every kind of bad input is an InputError at the exact
// file:line:column that names the key; and command-line overrides ("model.layers=24") are validated exactly as if
// they had been written in the file.
//
// Files are written into a fresh temporary folder per test. Line and column numbers are counted by hand from the
// literals (each literal's first line is line 1; columns are 1-based): `key = value` puts the value at column
// len(key) + 4, a key at column 1, and TOML++ places a table at the '[' of its header and the whole document at
// 1:1.

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "printing.hpp"
#include "temp_dir.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/util/metric.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using shardsim::Expectation;
using shardsim::InputError;
using shardsim::scenario::load;
using shardsim::scenario::Scenario;
using shardsim::workload::Dtype;

namespace {

using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;



constexpr std::string_view kTypes = R"([node_types.pi4-4gb]
ram = "4 GB"
memory_bandwidth = "3.3 GB/s"
flop_rate = "11.8 GFLOP/s"
send_overhead = "50 us"
recv_overhead = "50 us"
)";

// 4 nodes pi0..pi3 on one switch.
constexpr std::string_view kStar = R"(include = ["types.toml"]

[[star]]
nodes = 4
node_type = "pi4-4gb"
node_prefix = "pi"
bandwidth = "1 Gbit/s"
latency = "0.5 us"
)";

// A folder holding types.toml and star.toml, for scenarios that name topology = "star.toml".
struct Fixture {
  TempDir dir;
  Fixture() {
    dir.write("types.toml", kTypes);
    dir.write("star.toml", kStar);
  }
  std::string scenario(std::string_view text) const { return dir.write("s.toml", text); }
};

const Expectation& find_expectation(const Scenario& s, std::string_view metric) {
  for (const Expectation& e : s.expectations) {
    if (e.metric == metric) return e;
  }
  FAIL("no expectation for " << std::string(metric));
  throw std::logic_error("unreachable");
}

// Every line is numbered in the comments of the tests that use it.
constexpr std::string_view kValid = R"(topology = "star.toml"

[model]
preset = "seed-mlp"
layers = 3

[plan]
strategy = "seed"
nodes = 2
collective = "direct"

[run]
batch = 6

[network]
model = "fifo"
mtu = "9000 B"
frame_overhead = "78 B"

[expect]
nodes = 2
token_latency = { max = "120 s" }
max_resident_bytes = { min = "1 kB", max = "4 GB" }
layer_payload_delivered_bytes = { value = 129024, rel = 0.01 }
fits = true
tokens_per_second = { min = 0.5 }
)";

}  // namespace

// ---- valid scenarios ----------------------------------------------------------------------------------------

TEST_CASE("a valid scenario loads with the values written") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  const Scenario s = load(file);

  CHECK(s.path == file);
  CHECK(s.topology_path == f.dir.path("star.toml"));
  CHECK(s.topology.node_count() == 4);
  CHECK(s.topology.node_name(0) == "pi0");

  // The preset seed-mlp is 512 x 2048, 1 layer, 1 expert, fp16; the file overrides layers with 3.
  CHECK(s.model_preset == "seed-mlp");
  CHECK(s.model.d_model == 512);
  CHECK(s.model.d_ff == 2048);
  CHECK(s.model.layers == 3);
  CHECK(s.model.experts == 1);
  CHECK(s.model.experts_per_token == 1);
  CHECK(s.model.dtype == Dtype::fp16);

  CHECK(s.plan.strategy == "seed");
  CHECK(s.plan.nodes == 2);
  CHECK(s.plan.algorithm == shardsim::collective::Algorithm::direct);
  CHECK(s.run.batch == 6);
  CHECK(s.network.model == shardsim::net::NetworkModelKind::fifo);
  CHECK(s.network.mtu.count == 9000);
  CHECK(s.network.frame_overhead.count == 78);
}

TEST_CASE("a valid scenario's [expect] table is read with units") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  const Scenario s = load(file);
  REQUIRE(s.expectations.size() == 6);
  for (const Expectation& e : s.expectations) {
    INFO("metric " << e.metric);
    REQUIRE(shardsim::metric_index(e.metric).has_value());
    CHECK(e.index == *shardsim::metric_index(e.metric));
    CHECK(e.pos.file == file);
  }

  // line 21: `nodes = 2`, a plain number: equals 2, at column 9.
  const Expectation& nodes = find_expectation(s, "nodes");
  REQUIRE(nodes.equals.has_value());
  CHECK(*nodes.equals == 2.0);
  CHECK_FALSE(nodes.min.has_value());
  CHECK_FALSE(nodes.max.has_value());
  CHECK(nodes.rel_tol == 0.0);
  CHECK(nodes.pos.line == 21);
  CHECK(nodes.pos.column == 9);

  // line 22: `token_latency = { max = "120 s" }`: at most 120 s (a seconds metric), table at column 17.
  const Expectation& latency = find_expectation(s, "token_latency");
  CHECK_FALSE(latency.equals.has_value());
  CHECK_FALSE(latency.min.has_value());
  REQUIRE(latency.max.has_value());
  CHECK(*latency.max == Approx(120.0).epsilon(1e-12));
  CHECK(latency.pos.line == 22);
  CHECK(latency.pos.column == 17);

  // line 23: a bytes metric between "1 kB" = 1000 and "4 GB" = 4e9 bytes.
  const Expectation& resident = find_expectation(s, "max_resident_bytes");
  REQUIRE(resident.min.has_value());
  REQUIRE(resident.max.has_value());
  CHECK(*resident.min == 1000.0);
  CHECK(*resident.max == 4e9);
  CHECK(resident.pos.line == 23);

  // line 24: the seed notebook's payload, 129024 bytes, within 1 %.
  const Expectation& payload = find_expectation(s, "layer_payload_delivered_bytes");
  REQUIRE(payload.equals.has_value());
  CHECK(*payload.equals == 129024.0);
  CHECK(payload.rel_tol == 0.01);

  // line 25: a flag written as true is 1.
  const Expectation& fits = find_expectation(s, "fits");
  REQUIRE(fits.equals.has_value());
  CHECK(*fits.equals == 1.0);

  // line 26: a rate with only a lower bound.
  const Expectation& rate = find_expectation(s, "tokens_per_second");
  REQUIRE(rate.min.has_value());
  CHECK(*rate.min == 0.5);
  CHECK_FALSE(rate.max.has_value());
}

TEST_CASE("an explicit model without a preset, and defaults for what is left out") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
d_model = 64
d_ff = 256
layers = 2
experts = 4
experts_per_token = 2
dtype = "bf16"
)");
  const Scenario s = load(file);
  CHECK(s.model_preset.empty());
  CHECK(s.model.d_model == 64);
  CHECK(s.model.d_ff == 256);
  CHECK(s.model.layers == 2);
  CHECK(s.model.experts == 4);
  CHECK(s.model.experts_per_token == 2);
  CHECK(s.model.dtype == Dtype::bf16);
  // No [plan]: every node of the topology (4, fewer than d_model = 64 columns). No [run]: batch 1.
  // No [network]: a 1448-byte MTU and 90 bytes of framing per frame (net::NetworkOptions).
  CHECK(s.plan.nodes == 4);
  CHECK(s.run.batch == 1);
  CHECK(s.network.mtu.count == 1448);
  CHECK(s.network.frame_overhead.count == 90);
  CHECK(s.expectations.empty());
}

TEST_CASE("the topology is found relative to the scenario's folder") {
  TempDir dir;
  dir.write("topologies/types.toml", kTypes);
  dir.write("topologies/star.toml", kStar);
  const std::string file = dir.write("scenarios/s.toml", R"(topology = "../topologies/star.toml"
[model]
preset = "seed-mlp"
)");
  const Scenario s = load(file);
  // dir/scenarios/../topologies/star.toml, normalized.
  CHECK(s.topology_path == dir.path("topologies/star.toml"));
  CHECK(s.topology.node_count() == 4);
}

TEST_CASE("the seed scenario of 4 Pi 4 with batch 6 loads") {
  // scenarios/seed-layer-4-batch6.toml: preset seed-mlp, plan seed on 4 nodes, batch 6, topology of 4 Pi 4.
  const Scenario s = load(std::string(SHARDSIM_SOURCE_DIR) + "/scenarios/seed-layer-4-batch6.toml");
  CHECK(s.model_preset == "seed-mlp");
  CHECK(s.model.d_model == 512);
  CHECK(s.model.d_ff == 2048);
  CHECK(s.plan.nodes == 4);
  CHECK(s.run.batch == 6);
  CHECK(s.topology.node_count() == 4);
}

// ---- bad input ----------------------------------------------------------------------------------------------

TEST_CASE("an unknown key is rejected with a suggestion") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"
d_modle = 1024
)");
  // line 5, the key at column 1. "d_modle" (7 letters, 2 edits allowed) is 2 edits from "d_model".
  check_error(input_error([&] { load(file); }), file, 5, 1,
              {"unknown key 'model.d_modle'", "(did you mean 'd_model'?)"});
}

TEST_CASE("a misspelt table name is rejected with a suggestion") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"

[netwrok]
mtu = "1500 B"
)");
  // line 6: the key of `[netwrok]` starts after the '[', at column 2; "netwrok" is 2 edits from "network".
  check_error(input_error([&] { load(file); }), file, 6, 2, {"unknown key 'netwrok'", "(did you mean 'network'?)"});
}

TEST_CASE("an unknown key with no close match gets no suggestion") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"

[run]
batch = 6
warmup_tokens = 3
)");
  const InputError e = input_error([&] { load(file); });
  check_error(e, file, 8, 1, {"unknown key 'run.warmup_tokens'"});
  CHECK_THAT(std::string(e.what()), !Contains("did you mean"));
}

TEST_CASE("a string where an integer is expected is a type error") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"

[run]
batch = "six"
)");
  // line 7, `batch = ` is 8 characters: column 9.
  check_error(input_error([&] { load(file); }), file, 7, 9, {"run.batch", "expected an integer, got a string"});
}

TEST_CASE("a size without a unit, or with an unknown unit, is rejected") {
  Fixture f;
  SECTION("a bare number") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[model]
preset = "seed-mlp"
[network]
mtu = 1500
)");
    // line 5, `mtu = ` is 6 characters: column 7.
    check_error(input_error([&] { load(file); }), file, 5, 7, {"network.mtu", "with its unit", "got an integer"});
  }
  SECTION("an unknown unit") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[model]
preset = "seed-mlp"
[network]
mtu = "1500 octets"
)");
    check_error(input_error([&] { load(file); }), file, 5, 7, {"network.mtu", "unknown unit \"octets\""});
  }
  SECTION("a negative quantity") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[model]
preset = "seed-mlp"
[network]
frame_overhead = "-4 B"
)");
    // line 5, `frame_overhead = ` is 17 characters: column 18.
    check_error(input_error([&] { load(file); }), file, 5, 18, {"network.frame_overhead", "negative quantity"});
  }
}

TEST_CASE("an error in the topology file is positioned in the topology file") {
  Fixture f;
  const std::string topology = f.dir.write("zero.toml", R"(include = ["types.toml"]

[[star]]
nodes = 4
node_type = "pi4-4gb"
bandwidth = "0 Gbit/s"
)");
  const std::string file = f.scenario(R"(topology = "zero.toml"
[model]
preset = "seed-mlp"
)");
  // zero.toml line 6, `bandwidth = ` is 12 characters: column 13.
  check_error(input_error([&] { load(file); }), topology, 6, 13, {"star.0.bandwidth", "must be positive"});
}

TEST_CASE("a missing required key is reported at its table") {
  Fixture f;
  SECTION("a model dimension") {
    const std::string file = f.scenario(R"(topology = "star.toml"

[model]
d_ff = 2048
)");
    // No preset and no d_model: reported at the [model] header, line 3, column 1.
    check_error(input_error([&] { load(file); }), file, 3, 1, {"missing key 'model.d_model'"});
  }
  SECTION("the model table") {
    const std::string file = f.scenario(R"(topology = "star.toml"

[run]
batch = 1
)");
    // Missing at the top level: the document's position, 1:1.
    check_error(input_error([&] { load(file); }), file, 1, 1, {"missing key 'model'"});
  }
  SECTION("the topology") {
    const std::string file = f.scenario(R"([model]
preset = "seed-mlp"
)");
    check_error(input_error([&] { load(file); }), file, 1, 1, {"missing key 'topology'"});
  }
}

TEST_CASE("a misspelt key is reported before the key it leaves missing") {
  Fixture f;
  // `presett`: no preset, so every dimension is required and transformer.vocab was reported missing (at 3:1).
  // The typo is of `preset`, read before the first missing dimension: line 4, column 1.
  const std::string file = f.scenario(R"(topology = "star.toml"

[transformer]
presett = "llama2-7b"
)");
  check_error(input_error([&] { load(file); }), file, 4, 1,
              {"unknown key 'transformer.presett' (did you mean 'preset'?)"});
}

TEST_CASE("format names are read in any case, llama.cpp's K-quant mixtures included") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "llama2-7b"
weights = "Q4_K_M"
kv_cache = "F16"
)");
  // F16 is no format name: the error names the key and every format.
  CHECK_THAT(std::string(input_error([&] { load(file); }).what()),
             Contains("transformer.kv_cache: unknown number format 'F16'; expected one of fp32, fp16, bf16, q8_0, "
                      "q4_0, q4_k, q5_k, q6_k (in any case)"));
  const std::string good = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "llama2-7b"
weights = "Q4_K_M"
kv_cache = "FP16"
)");
  const Scenario s = load(good);
  REQUIRE(s.transformer.has_value());
  CHECK(s.transformer->weight_format == shardsim::hw::NumberFormat::q4_k);
  CHECK(s.transformer->kv_format == shardsim::hw::NumberFormat::fp16);
}

TEST_CASE("a missing topology file is reported at the topology key") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "nowhere.toml"
[model]
preset = "seed-mlp"
)");
  // line 1, `topology = ` is 11 characters: the value at column 12.
  check_error(input_error([&] { load(file); }), file, 1, 12, {"cannot open file", f.dir.path("nowhere.toml")});
}

TEST_CASE("a missing scenario file is reported with its name") {
  TempDir dir;
  const std::string file = dir.path("absent.toml");
  const InputError e = input_error([&] { load(file); });
  CHECK(e.pos().file == file);
  CHECK_THAT(std::string(e.what()), Contains("cannot open file '" + file + "'"));
}

TEST_CASE("a TOML syntax error is reported at its line and column") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"
layers = @
)");
  // line 5, `layers = ` is 9 characters: the stray '@' at column 10.
  check_error(input_error([&] { load(file); }), file, 5, 10, {});
}

TEST_CASE("experts_per_token above experts is rejected") {
  Fixture f;
  SECTION("both written") {
    const std::string file = f.scenario(R"(topology = "star.toml"

[model]
d_model = 64
d_ff = 256
experts = 2
experts_per_token = 3
)");
    // line 7, `experts_per_token = ` is 20 characters: column 21.
    check_error(input_error([&] { load(file); }), file, 7, 21,
                {"model.experts_per_token", "experts_per_token (3) exceeds experts (2)"});
  }
  SECTION("experts lowered below a preset's experts_per_token") {
    const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "gpt4-seed-estimate"
experts = 1
)");
    // The preset has 2 experts per token; only `experts` is written, so the error is there: line 5,
    // `experts = ` is 10 characters, column 11.
    check_error(input_error([&] { load(file); }), file, 5, 11,
                {"model.experts", "experts_per_token (2) exceeds experts (1)"});
  }
}

TEST_CASE("plan.nodes beyond the topology is rejected") {
  Fixture f;
  SECTION("more nodes than the topology has") {
    const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"

[plan]
nodes = 5
)");
    // line 7, `nodes = ` is 8 characters: column 9. The star has 4 nodes, and d_model 512, d_ff 2048 allow more.
    check_error(input_error([&] { load(file); }), file, 7, 9, {"plan.nodes", "between 1 and 4", "got 5"});
  }
  SECTION("zero nodes") {
    const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"

[plan]
nodes = 0
)");
    check_error(input_error([&] { load(file); }), file, 7, 9, {"plan.nodes", "between 1 and 4", "got 0"});
  }
  SECTION("more nodes than columns of d_model") {
    const std::string file = f.scenario(R"(topology = "star.toml"

[model]
d_model = 2
d_ff = 8

[plan]
nodes = 3
)");
    // min(4 nodes, d_model 2, d_ff 8) = 2: every node needs a column of d_model.
    check_error(input_error([&] { load(file); }), file, 8, 9, {"plan.nodes", "between 1 and 2", "got 3"});
  }
}

TEST_CASE("an unknown metric in [expect] is rejected with a suggestion") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"

[expect]
token_latncy = "1 s"
)");
  // line 7, the key at column 1; "token_latncy" is 1 edit from "token_latency".
  check_error(input_error([&] { load(file); }), file, 7, 1,
              {"unknown metric 'expect.token_latncy'", "(did you mean 'token_latency'?)"});
}

TEST_CASE("bad [expect] values are rejected at their position") {
  Fixture f;
  SECTION("a size where a time is expected") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[model]
preset = "seed-mlp"
[expect]
token_latency = "4 GB"
)");
    // line 5, `token_latency = ` is 16 characters: column 17.
    check_error(input_error([&] { load(file); }), file, 5, 17, {"expect.token_latency", "unknown unit \"GB\""});
  }
  SECTION("min above max") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[model]
preset = "seed-mlp"
[expect]
max_resident_bytes = { min = "5 GB", max = "4 GB" }
)");
    // line 5, `max_resident_bytes = ` is 21 characters: the inline table at column 22.
    check_error(input_error([&] { load(file); }), file, 5, 22, {"expect.max_resident_bytes", "min is above max"});
  }
  SECTION("rel without value") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[model]
preset = "seed-mlp"
[expect]
token_latency = { rel = 0.1 }
)");
    // line 5, `token_latency = { rel = ` is 24 characters: 0.1 at column 25.
    check_error(input_error([&] { load(file); }), file, 5, 25, {"expect.token_latency.rel", "'rel' needs 'value'"});
  }
}

TEST_CASE("an unknown model preset is rejected with a suggestion") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mpl"
)");
  // line 4, `preset = ` is 9 characters: column 10. "seed-mpl" is 2 edits from "seed-mlp" (8 letters: 2 allowed).
  check_error(input_error([&] { load(file); }), file, 4, 10,
              {"model.preset", "unknown model preset 'seed-mpl'", "(did you mean 'seed-mlp'?)"});
}

TEST_CASE("an unknown dtype is rejected with the accepted values") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
preset = "seed-mlp"
dtype = "fp8"
)");
  // line 5, `dtype = ` is 8 characters: column 9.
  check_error(input_error([&] { load(file); }), file, 5, 9,
              {"model.dtype", "unknown value 'fp8'", "fp32", "fp16", "bf16"});
}

// ---- overrides ----------------------------------------------------------------------------------------------

TEST_CASE("an override changes a value") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  CHECK(load(file).model.layers == 3);                       // as written
  CHECK(load(file, {"model.layers=24"}).model.layers == 24);  // overridden
  const Scenario s = load(file, {"plan.nodes=3", "network.mtu=\"1500 B\""});
  CHECK(s.plan.nodes == 3);
  CHECK(s.network.mtu.count == 1500);
  // A value that is not TOML is taken as a string: 1500 B without quotes is the string "1500 B".
  CHECK(load(file, {"network.mtu=1500 B"}).network.mtu.count == 1500);
}

TEST_CASE("an override creates the tables it needs") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"
[model]
preset = "seed-mlp"
)");
  CHECK(load(file).run.batch == 1);                        // no [run]: the default
  CHECK(load(file, {"run.batch=64"}).run.batch == 64);     // [run] created by the override
}

TEST_CASE("an override of the topology changes the generated node count") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  CHECK(load(file).topology.node_count() == 4);
  const Scenario s = load(file, {"topology.star.0.nodes=8"});
  CHECK(s.topology.node_count() == 8);
  CHECK(s.topology.node_name(7) == "pi7");
}

TEST_CASE("an override of a topology array entry that does not exist is rejected") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  // star.toml has one [[star]]: index 3 is out of range.
  const InputError e = input_error([&] { load(file, {"topology.star.3.nodes=8"}); });
  CHECK_THAT(std::string(e.what()), StartsWith("--set topology.star.3.nodes=8"));
  CHECK_THAT(std::string(e.what()), Contains("'3' is not an index"));
}

TEST_CASE("an override without '=' is rejected") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  const InputError e = input_error([&] { load(file, {"model.layers"}); });
  CHECK_THAT(std::string(e.what()), StartsWith("--set model.layers"));
  CHECK_THAT(std::string(e.what()), Contains("expected key=value"));
}

TEST_CASE("an override of the wrong type is a type error positioned in the override") {
  // The value is parsed as TOML under the label "--set <argument>", which then stands where a file name would:
  // the error is in the override, line 1, not in the scenario file that does not contain the bad value.
  Fixture f;
  const std::string file = f.scenario(kValid);
  SECTION("a quoted string") {
    const InputError e = input_error([&] { load(file, {"model.layers=\"x\""}); });
    INFO("message: " << e.what());
    CHECK_THAT(std::string(e.what()), StartsWith("--set model.layers=\"x\":1:"));
    CHECK_THAT(std::string(e.what()), Contains("model.layers: expected an integer, got a string"));
  }
  SECTION("a bare word, taken as a string") {
    const InputError e = input_error([&] { load(file, {"model.layers=x"}); });
    INFO("message: " << e.what());
    CHECK_THAT(std::string(e.what()), StartsWith("--set model.layers=x:1:"));
    CHECK_THAT(std::string(e.what()), Contains("model.layers: expected an integer, got a string"));
  }
}

// The value starts at column 20 of the label (`--set model.layers=` is 19 characters).
TEST_CASE("an override's error column points at the value in the override") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  const InputError quoted = input_error([&] { load(file, {"model.layers=\"x\""}); });
  CHECK_THAT(std::string(quoted.what()), StartsWith("--set model.layers=\"x\":1:20: model.layers: "));
  const InputError bare = input_error([&] { load(file, {"model.layers=x"}); });
  CHECK_THAT(std::string(bare.what()), StartsWith("--set model.layers=x:1:20: model.layers: "));
}

TEST_CASE("an override of an unknown key is rejected as unknown") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  const InputError e = input_error([&] { load(file, {"model.layrs=24"}); });
  // "layrs" (5 letters, 1 edit allowed) is 1 edit from "layers".
  CHECK_THAT(std::string(e.what()), Contains("unknown key 'model.layrs'"));
  CHECK_THAT(std::string(e.what()), Contains("(did you mean 'layers'?)"));
}

// The key "layrs" starts at column 13 of "--set model.layrs=24".
TEST_CASE("an override of an unknown key is positioned in the override") {
  Fixture f;
  const std::string file = f.scenario(kValid);
  const InputError e = input_error([&] { load(file, {"model.layrs=24"}); });
  INFO("message: " << e.what());
  CHECK_THAT(std::string(e.what()), StartsWith("--set model.layrs=24:1:13: unknown key 'model.layrs'"));
}

TEST_CASE("a misspelt required key is reported as the typo, not as missing") {
  Fixture f;
  // Line 4 holds `d_modle = 512`: the required d_model is absent, and the unknown d_modle is one edit from it.
  const std::string file = f.scenario(R"(topology = "star.toml"

[model]
d_modle = 512
d_ff = 2048
)");
  const InputError e = input_error([&] { load(file); });
  CHECK(std::string(e.what()) == file + ":4:1: unknown key 'model.d_modle' (did you mean 'd_model'?)");
}
