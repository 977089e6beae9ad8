// Load-time span limits (scenario/span_limits.hpp): no duration, and no rate that would make the largest work the
// scenario implies, longer than a week of simulated time (604,800 s). Each refusal names its key and position.

#include <catch2/catch.hpp>
#include <string>

#include "temp_dir.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/scenario/span_limits.hpp"
#include "shardsim/util/error.hpp"

using shardsim::scenario::load;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

// Line 5 is flop_rate (value at column 13); the star's bandwidth is line 7, column 13 of star.toml.
constexpr const char* kTypes = R"([node_types.slow]
ram = "4 GB"
memory_bandwidth = "1 GB/s"
send_overhead = "50 us"
flop_rate = "1 GFLOP/s"
)";

constexpr const char* kStar = R"(include = ["types.toml"]

[[star]]
nodes = 2
node_type = "slow"
node_prefix = "n"
bandwidth = "1 Gbit/s"
latency = "1 us"
)";

// The explicit MLP of scenario_test's "explicit model": d_model 64, d_ff 256, 2 layers, 4 experts, bf16, batch 1.
// By hand: weights 2 * 64 * 256 * 2 layers * 4 experts = 262,144 params, 524,288 B; activations (the bound's
// margin) 2 * 1 * (64 + 256) * 2 * 4 * 2 B = 10,240 B; so 534,528 B. FLOPs 2 * 262,144 * 1 = 524,288.
// A week is 604,800 s, so the lowest byte rate accepted is 534,528 / 604,800 = 0.8838 B/s and the lowest FLOP
// rate 524,288 / 604,800 = 0.8669 FLOP/s.
constexpr const char* kScenario = R"(topology = "star.toml"

[model]
d_model = 64
d_ff = 256
layers = 2
experts = 4
experts_per_token = 2
dtype = "bf16"
)";

struct Fixture {
  TempDir dir;
  std::string scenario;
  Fixture() {
    dir.write("types.toml", kTypes);
    dir.write("star.toml", kStar);
    scenario = dir.write("s.toml", kScenario);
  }
};

}  // namespace

TEST_CASE("the work bound of an MLP stack is its weights plus two activations per layer and expert") {
  Fixture f;
  const auto bound = shardsim::scenario::work_bound(load(f.scenario));
  CHECK(bound.bytes == 534528.0);
  CHECK(bound.flops == 524288.0);
}

TEST_CASE("a link bandwidth is refused just below bytes over a week and accepted just above") {
  Fixture f;
  CHECK_NOTHROW(load(f.scenario, {"topology.star.0.bandwidth=\"0.9 B/s\""}));
  const auto e = input_error([&] { load(f.scenario, {"topology.star.0.bandwidth=\"0.85 B/s\""}); });
  // 534,528 B / 0.85 B/s = 628,856 s.
  check_error(e, "--set topology.star.0.bandwidth=\"0.85 B/s\"", 1, 33, {"star.0.bandwidth", "0.85 B/s", "534.528 kB", "6.29e+05 s", "a week"});
}

TEST_CASE("a node type's FLOP rate is refused at its key in the included file") {
  Fixture f;
  CHECK_NOTHROW(load(f.scenario));
  f.dir.write("types.toml", std::string(kTypes).replace(std::string(kTypes).find("1 GFLOP/s"), 9, "0.85 FLOP/s"));
  const auto e = input_error([&] { load(f.scenario); });
  // 524,288 FLOP / 0.85 FLOP/s = 616,809 s.
  check_error(e, f.dir.path("types.toml"), 5, 13, {"node_types.slow.flop_rate", "5.24e+05 FLOP", "6.17e+05 s"});
  f.dir.write("types.toml", std::string(kTypes).replace(std::string(kTypes).find("1 GFLOP/s"), 9, "0.9 FLOP/s"));
  CHECK_NOTHROW(load(f.scenario));
}

TEST_CASE("a node type's FLOP rate patched by --set is refused at the --set") {
  Fixture f;
  // The type lives in the included types.toml; the patch carries its own position.
  const auto e = input_error([&] { load(f.scenario, {"topology.node_types.slow.flop_rate=\"0.85 FLOP/s\""}); });
  CHECK_THAT(e.what(), Catch::Matchers::Contains("node_types.slow.flop_rate: \"0.85 FLOP/s\" is too low"));
  CHECK_THAT(e.what(), Catch::Matchers::StartsWith("--set topology.node_types.slow.flop_rate="));
  CHECK_NOTHROW(load(f.scenario, {"topology.node_types.slow.flop_rate=\"0.9 FLOP/s\""}));
}

TEST_CASE("a memory bandwidth too low for the largest op is refused") {
  Fixture f;
  f.dir.write("types.toml", std::string(kTypes).replace(std::string(kTypes).find("1 GB/s"), 6, "0.5 B/s"));
  const auto e = input_error([&] { load(f.scenario); });
  check_error(e, f.dir.path("types.toml"), 3, 20, {"node_types.slow.memory_bandwidth", "1.07e+06 s"});
}

TEST_CASE("a duration longer than a week is refused at its key, one of a week is accepted") {
  Fixture f;
  // A week is 10,080 minutes.
  CHECK_NOTHROW(load(f.scenario, {"topology.star.0.latency=\"10080 min\""}));
  const auto e = input_error([&] { load(f.scenario, {"topology.star.0.latency=\"10081 min\""}); });
  check_error(e, "--set topology.star.0.latency=\"10081 min\"", 1, 31, {"star.0.latency", "longer than a week"});
  // The issue's reproduction: 1e6 s is 11.6 days.
  const auto e2 = input_error([&] { load(f.scenario, {"topology.star.0.latency=\"1e6 s\""}); });
  check_error(e2, "--set topology.star.0.latency=\"1e6 s\"", 1, 31, {"star.0.latency", "longer than a week"});
}

TEST_CASE("a node type no node of the cluster is does not refuse the scenario; the same type in use does") {
  // types.toml as a library of types (pi-nodes.toml is one): "spare" has a FLOP rate that would take 616,809 s for
  // the largest op (as above), but the star's nodes are all "slow", so no op ever runs at that rate. Issue 16's
  // million-Pi-5 star included pi-nodes.toml, whose Pi 3 fp16 rate was refused against the million-rank step.
  Fixture f;
  const std::string spare = "\n[node_types.spare]\nram = \"4 GB\"\nmemory_bandwidth = \"0.5 B/s\"\n"
                            "flop_rate = \"0.85 FLOP/s\"\n";
  f.dir.write("types.toml", std::string(kTypes) + spare);
  CHECK_NOTHROW(load(f.scenario));
  // A --set patch of the unused type is not checked either; of the used one it is.
  CHECK_NOTHROW(load(f.scenario, {"topology.node_types.spare.flop_rate=\"0.5 FLOP/s\""}));
  CHECK_THROWS(load(f.scenario, {"topology.node_types.slow.flop_rate=\"0.5 FLOP/s\""}));
  // Once a node is of that type, its rates are checked (the first offending key, in the file's order).
  const auto e = input_error([&] { load(f.scenario, {"topology.star.0.node_type=\"spare\""}); });
  CHECK_THAT(e.what(), Catch::Matchers::Contains("node_types.spare."));
  CHECK_THAT(e.what(), Catch::Matchers::Contains("is too low for this scenario"));
}
