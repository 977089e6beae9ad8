// A single run's and a search's memory, bounded before anything is simulated (study/memory_estimate.hpp) and
// refused above --max-memory with the estimate and what to change (exit 2).

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/memory_estimate.hpp"

using namespace shardsim;
using testing::cli;
using testing::Outcome;

namespace {
const std::string kSource = SHARDSIM_SOURCE_DIR;
}

TEST_CASE("run: a data-parallel training whose collectives outgrow memory is refused before it is simulated") {
  // Issue 16's case at 1000 ranks. TinyLlama with ZeRO 3 gathers each layer's weights over every rank, forward and
  // backward, with ring all-gathers of 2p(p - 1) ~ 2 x 10^6 messages, and the training step holds all its layers in
  // one block. The plan's floor (plan/plan_floor.hpp: 46 collectives of 1000 ranks, 9.19e7 messages, 646 compute
  // ops per rank) is 57.2 GB: above 8 GiB it is refused on the floor alone, before the plan is built.
  const std::vector<std::string> args{"run", kSource + "/scenarios/tinyllama-pi5-16gb-dp4-zero3.toml", "--set",
                                      "topology.star.0.nodes=1000", "--set", "topology.star.0.ports=1000", "--set",
                                      "plan.nodes=1000", "--set", "run.batch=1000", "--set", "train.seq_len=1",
                                      "--max-memory"};
  auto with_limit = [&](const std::string& limit) {
    std::vector<std::string> a = args;
    a.push_back(limit);
    return a;
  };
  const auto start = std::chrono::steady_clock::now();
  const Outcome floor = cli(with_limit("8 GiB"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(floor.code == 2);
  CHECK_THAT(floor.err, Catch::Matchers::Contains("this run (at least 6.46e+05 ops, at least 9.19e+07 point-to-point "
                                                  "messages in one block, collectives of 1e+03 ranks) needs at least"));
  CHECK_THAT(floor.err, Catch::Matchers::Contains("GB of memory by the upper bound (its part counted before planning), "
                                                  "more than --max-memory 8.590 GB"));
  CHECK_THAT(floor.err, Catch::Matchers::Contains("use fewer nodes (plan.nodes)"));
  CHECK(floor.out.empty());
  CHECK(seconds < 120);
  // Above the floor (64 GiB = 68.7 GB) the plan is built and held to its whole bound (86.96 GB: every gradient
  // bucket's reduce-scatter too, 1.38e8 messages).
  const Outcome bound = cli(with_limit("64 GiB"));
  CHECK(bound.code == 2);
  CHECK_THAT(bound.err, Catch::Matchers::Contains("this run (6.46e+05 ops, up to 1.38e+08 point-to-point messages"));
  CHECK_THAT(bound.err, Catch::Matchers::Contains("collectives of up to 1e+03 ranks"));
  CHECK_THAT(bound.err, Catch::Matchers::Contains("GB of memory (an upper bound), more than --max-memory 68.719 GB"));
  CHECK(bound.out.empty());
}

TEST_CASE("run: issue 16's million-rank training is refused on its plan's floor, without planning it") {
  // The same step over a million Pis. Planning it would take ~235 GB (the graph is ~235 kB per rank); its floor,
  // counted from the layout, is 46 ring collectives of 10^6 ranks, 2 x 10^6 (10^6 - 1) messages each (9.2e13), and
  // 6.46e8 compute ops: tens of petabytes. Loading the million-node star is what takes the time (a few seconds and
  // about 1 GB); the limit of 120 s only guards against a hang.
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = cli({"run", kSource + "/scenarios/tinyllama-pi5-16gb-dp4-zero3.toml", "--set",
                         "topology.star.0.nodes=1000000", "--set", "topology.star.0.ports=1000000", "--set",
                         "plan.nodes=1000000", "--set", "run.batch=1000000", "--set", "train.seq_len=1",
                         "--max-memory", "8 GiB"});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Matchers::Contains("this run (at least 6.46e+08 ops, at least 9.2e+13 point-to-point "
                                              "messages in one block, collectives of 1e+06 ranks) needs at least"));
  CHECK_THAT(o.err, Catch::Matchers::Contains("TB of memory by the upper bound (its part counted before planning), "
                                              "more than --max-memory 8.590 GB"));
  CHECK(o.out.empty());
  CHECK(seconds < 120);
}

TEST_CASE("run: --max-memory refuses a small run below its bound and lets it run above") {
  const std::string s = kSource + "/scenarios/seed-layer-4-batch6.toml";
  const study::RunEstimate estimate = study::estimate_run(scenario::load(s));
  // The seed layer on 4 nodes (run_size_bound_test.cpp): 11 ops, 18 direct messages; its bound is kilobytes to
  // a few hundred kilobytes (the graph's labels, the run's state, a message's slot in the network model).
  CHECK(estimate.size.ops == 11);
  CHECK(estimate.size.steps == 18);
  CHECK(estimate.bytes > 1000);
  CHECK(estimate.bytes < 1'000'000);
  // Its floor (seed_plan_floor: the same 11 ops and 18 messages, without labels or dependencies) is below it;
  // under the floor the run is refused on it, between the two on the whole bound.
  const study::RunEstimate floor = study::floor_run(scenario::load(s));
  CHECK(floor.size.ops == 11);
  CHECK(floor.size.steps == 18);
  CHECK(floor.bytes > 1000);
  CHECK(floor.bytes < estimate.bytes);
  const Outcome refused = cli({"run", s, "--max-memory", "1 kB"});
  CHECK(refused.code == 2);
  CHECK_THAT(refused.err, Catch::Matchers::Contains("this run (at least 11 ops, at least 18 point-to-point messages"));
  CHECK_THAT(refused.err, Catch::Matchers::Contains("by the upper bound (its part counted before planning)"));
  CHECK(refused.out.empty());
  const Outcome bounded = cli({"run", s, "--max-memory", std::to_string(floor.bytes) + " B"});
  CHECK(bounded.code == 2);
  CHECK_THAT(bounded.err, Catch::Matchers::Contains("this run (11 ops, up to 18 point-to-point messages"));
  CHECK_THAT(bounded.err, Catch::Matchers::Contains("(an upper bound)"));
  CHECK(bounded.out.empty());
  CHECK(cli({"run", s, "--max-memory", "1 MB"}).code == 0);
  CHECK(cli({"run", s, "--max-memory", "a lot"}).code == 2);
}

TEST_CASE("search: its table's bound is refused above --max-memory before any candidate runs") {
  const std::string s = kSource + "/scenarios/seed-layer-4-batch6.toml";
  const std::vector<study::Candidate> candidates = study::enumerate_candidates(scenario::load(s));
  REQUIRE(!candidates.empty());
  // At least, per candidate, its outcome's figures (a double per catalog metric) and its table row's cells.
  const std::uint64_t bytes = study::search_table_bytes(candidates);
  CHECK(bytes >= candidates.size() * metric_catalog().size() * (sizeof(double) + sizeof(table::Cell)));
  const Outcome o = cli({"search", s, "--max-memory", "1 kB"});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Matchers::Contains("the search's table of " + std::to_string(candidates.size()) +
                                              " candidates needs about"));
  CHECK_THAT(o.err, Catch::Matchers::Contains("--shard K/N"));
  CHECK(o.out.empty());
}
