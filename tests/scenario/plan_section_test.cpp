// [plan] as the loader reads it through the strategies (plan/strategy.hpp): the strategy chosen, plan.collective
// checked against the collectives that strategy says it needs (and refused where it has none), a strategy that
// cannot run the model or the run refused at plan.strategy, and a plan's problem placed at the key it names when the
// file gives that key, else at the fallback. Line and column numbers are counted by hand from the literals (each
// literal's first line is line 1; `key = value` puts the value at column len(key) + 4).

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "temp_dir.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/scenario/scenario.hpp"

using shardsim::scenario::load;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {

// 8 nodes on one switch.
constexpr std::string_view kStar = R"([node_types.box]
ram = "64 GB"
memory_bandwidth = "10 GB/s"
flop_rate = "100 GFLOP/s"
send_overhead = "50 us"
recv_overhead = "50 us"

[[star]]
nodes = 8
node_type = "box"
bandwidth = "1 Gbit/s"
latency = "1 us"
)";

struct Fixture {
  TempDir dir;
  Fixture() { dir.write("star.toml", kStar); }
  std::string scenario(std::string_view text) const { return dir.write("s.toml", text); }
};

}  // namespace

TEST_CASE("plan: every registered strategy is found by its name, and only those") {
  for (const shardsim::plan::Strategy* s : shardsim::plan::strategies()) {
    CHECK(shardsim::plan::find_strategy(s->name()) == s);
  }
  CHECK(shardsim::plan::strategies().size() == 8);
  CHECK(shardsim::plan::find_strategy("megatron") == nullptr);
}

TEST_CASE("plan: an unknown strategy lists the registered ones") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "llama2-7b"
[plan]
strategy = "megatron"
)");
  // line 5, `strategy = ` is 11 characters: column 12.
  check_error(input_error([&] { load(file); }), file, 5, 12,
              {"plan.strategy: unknown value 'megatron'; expected one of: seed tensor pipeline expert data"});
}

TEST_CASE("plan: the expert plan has no collective, so plan.collective is refused there") {
  Fixture f;
  const std::string file = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "mixtral-8x7b"
[plan]
strategy = "expert"
nodes = 4
collective = "ring"
)");
  // line 7, `collective = ` is 13 characters: column 14.
  check_error(input_error([&] { load(file); }), file, 7, 14,
              {"plan.collective: the expert plan sends only point-to-point messages"});
}

TEST_CASE("plan: an algorithm that cannot do a collective the strategy needs names the ones that can") {
  Fixture f;
  // The tensor plan all-reduces and gathers the logits; recursive doubling has no gather. Of the algorithms,
  // direct, ring, tree and hierarchical do both.
  const std::string file = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "llama2-7b"
[plan]
strategy = "tensor"
nodes = 4
collective = "recursive_doubling"
)");
  check_error(input_error([&] { load(file); }), file, 7, 14,
              {"plan.collective: recursive_doubling cannot do the tensor plan's gather; choose direct, ring, tree, "
               "hierarchical"});
  // With one stage of one node the pipeline has no collective at all, so any algorithm is accepted.
  const std::string one = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "llama2-7b"
[plan]
strategy = "pipeline"
nodes = 4
collective = "recursive_doubling"
)");
  CHECK(load(one).plan.nodes == 4);
}

TEST_CASE("plan: a strategy that cannot run the model, or the run, is refused at plan.strategy") {
  Fixture f;
  SECTION("data parallelism is for training only") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "llama2-7b"
[plan]
strategy = "data"
)");
    check_error(input_error([&] { load(file); }), file, 5, 12, {"plan.strategy: the data strategy", "[train]"});
  }
  SECTION("the seed plan does not train, and the message names those that do") {
    const std::string file = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "tinyllama-1.1b"
[train]
seq_len = 16
[plan]
strategy = "seed"
)");
    check_error(input_error([&] { load(file); }), file, 7, 12,
                {"plan.strategy: the seed strategy does not train", "tensor pipeline expert data"});
  }
}

TEST_CASE("plan: a problem is placed at the key it names when the file gives it, else at the fallback") {
  Fixture f;
  // Llama 2 7B has 32 heads: a tensor degree of 3 cannot split them. Given, tensor_degree is to blame.
  const std::string given = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "llama2-7b"
[plan]
strategy = "pipeline"
nodes = 6
tensor_degree = 3
)");
  // line 7, `tensor_degree = ` is 16 characters: column 17.
  check_error(input_error([&] { load(given); }), given, 7, 17,
              {"plan.tensor_degree: heads (32) must be divisible by the tensor-parallel degree (3)"});
  // Training under `tensor` takes its degree from the nodes (3 per replica here), so the same problem is the nodes'.
  const std::string derived = f.scenario(R"(topology = "star.toml"
[transformer]
preset = "tinyllama-1.1b"
[train]
seq_len = 16
[plan]
strategy = "tensor"
nodes = 3
)");
  // line 8, `nodes = ` is 8 characters: column 9. TinyLlama has 32 heads.
  check_error(input_error([&] { load(derived); }), derived, 8, 9,
              {"plan.nodes: heads (32) must be divisible by the tensor-parallel degree (3)"});
}
