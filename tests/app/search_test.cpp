// `shardsim search`: its best plan is the best of an exhaustive run (every [plan] table a user could write over
// the same keys, each loaded from a file and run as `shardsim run` would), its output does not depend on --jobs,
// and the scenario it emits runs the plan it names.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "shardsim/plan/strategy.hpp"
#include "shardsim/scenario/plan_candidate.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/study/search.hpp"
#include "shardsim/table/merge.hpp"
#include "shardsim/util/metric.hpp"
#include "mixed_nodes.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

const std::string kSource = SHARDSIM_SOURCE_DIR;

// Llama 3 8B (q4_0) on 4 Pi 5 16 GB on one switch, batch 2: small enough to try everything by hand.
std::string write_case(const testing::TempDir& dir) {
  dir.write("topo.toml", "include = [\"" + kSource + R"(/topologies/pi-nodes.toml"]
[[star]]
nodes = 4
node_type = "pi5-16gb"
node_prefix = "pi"
bandwidth = "1 Gbit/s"
latency = "0.5 us"
forwarding_latency = "2 us"
)");
  return dir.write("case.toml", R"(topology = "topo.toml"
[transformer]
preset = "llama3-8b"
weights = "q4_0"
kv_cache = "fp16"
activations = "q8_0"
[plan]
strategy = "tensor"
nodes = 2
[run]
batch = 2
context = 64
)");
}

double tokens_per_second(const report::Result& r) { return r.figures.at(*metric_index("tokens_per_second")); }

// The best tokens/s over every plan table written by hand over the keys a [plan] may hold (each key absent or at
// each of its values), loaded from a file: what a user trying everything with `shardsim run` would find. Plans
// with more than `most_nodes` nodes are left out.
double exhaustive_best(const testing::TempDir& dir, int most_nodes, int& runs) {
  const std::vector<std::string> algorithms{"", "direct", "ring", "tree", "recursive_doubling", "hierarchical"};
  std::vector<std::string> heads;
  for (const plan::Strategy* st : plan::strategies()) {
    if (!st->is_runtime()) heads.push_back("strategy = \"" + std::string(st->name()) + "\"\n");
  }
  std::vector<std::string> tables;
  for (const std::string& head : heads) {
    for (int n = 1; n <= most_nodes; ++n) {
      for (int td = 0; td <= 4; ++td) {
        for (int mb = 0; mb <= 2; ++mb) {
          for (const std::string& a : algorithms) {
            std::string t = head + "nodes = " + std::to_string(n) + "\n";
            if (td > 0) t += "tensor_degree = " + std::to_string(td) + "\n";
            if (mb > 0) t += "micro_batches = " + std::to_string(mb) + "\n";
            if (!a.empty()) t += "collective = \"" + a + "\"\n";
            tables.push_back(t);
          }
        }
      }
    }
  }
  // Every registered runtime, at its default version and at each version it lists.
  for (const plan::Strategy* runtime : plan::strategies()) {
    if (!runtime->is_runtime()) continue;
    std::vector<std::string> versions = runtime->versions();
    versions.emplace_back();
    for (int n = 1; n <= most_nodes; ++n) {
      for (const std::string& v : versions) {
        std::string t = "runtime = \"" + std::string(runtime->name()) + "\"\nnodes = " + std::to_string(n) + "\n";
        if (!v.empty()) t += "runtime_version = \"" + v + "\"\n";
        tables.push_back(t);
      }
    }
  }
  double best = 0;
  runs = 0;
  for (const std::string& t : tables) {
    const std::string path = dir.write("one.toml", R"(topology = "topo.toml"
[transformer]
preset = "llama3-8b"
weights = "q4_0"
kv_cache = "fp16"
activations = "q8_0"
[run]
batch = 2
context = 64
[plan]
)" + t);
    try {
      const scenario::Scenario s = scenario::load(path);
      const report::Result r = study::run_scenario(s);
      if (r.figures.at(*metric_index("fits")) < 1) continue;
      ++runs;
      best = std::max(best, tokens_per_second(r));
    } catch (const InputError&) {
      // A plan its strategy refuses: the user would have been told so.
    }
  }
  return best;
}

}  // namespace

TEST_CASE("search: the best plan is the best of an exhaustive run, with and without a node limit") {
  testing::TempDir dir;
  const scenario::Scenario s = scenario::load(write_case(dir));
  for (const int most : {4, 2}) {
    CAPTURE(most);
    std::vector<std::string> require{"fits"};
    if (most < 4) require.push_back("nodes<=" + std::to_string(most));
    const study::SearchOptions options = study::search_options(s, require, "tokens_per_second", 2);
    const study::SearchResult r = study::run_search(s, options);
    REQUIRE(r.best);
    const double found = r.outcomes[*r.best].figures.at(*metric_index("tokens_per_second"));
    int runs = 0;
    const double best = exhaustive_best(dir, most, runs);
    std::size_t simulated = 0;
    for (const study::Outcome& o : r.outcomes) simulated += o.meets;
    CHECK(found == best);
    // The search tried every distinct plan the exhaustive run did (which also runs the tables that leave keys at
    // their defaults, so it runs more of the same plans).
    CHECK(simulated > 0);
    CHECK(static_cast<int>(simulated) <= runs);
    CHECK(r.outcomes[*r.best].nodes <= most);
  }
}

TEST_CASE("search: the same report whatever the number of threads") {
  testing::TempDir dir;
  const scenario::Scenario s = scenario::load(write_case(dir));
  std::string reports[2];
  for (const unsigned jobs : {1u, 3u}) {
    const study::SearchOptions options = study::search_options(s, {"fits"}, "tokens_per_joule", jobs);
    std::ostringstream out;
    study::write_search(out, s, options, study::run_search(s, options));
    reports[jobs == 1 ? 0 : 1] = out.str();
  }
  CHECK(reports[0] == reports[1]);
  CHECK_THAT(reports[0], Catch::Contains("Best plan: "));
  CHECK_THAT(reports[0], Catch::Contains("Pareto front: tokens/s against the cluster's price"));
}

TEST_CASE("search: the emitted scenario runs the best plan") {
  testing::TempDir dir;
  const std::string path = write_case(dir);
  const scenario::Scenario s = scenario::load(path);
  const study::SearchOptions options = study::search_options(s, {"fits"}, "tokens_per_second", 2);
  const study::SearchResult r = study::run_search(s, options);
  REQUIRE(r.best);
  const std::string emitted =
      dir.write("best.toml", scenario::scenario_with_plan(path, {}, r.candidates[*r.best].plan_toml, "topo.toml"));
  const report::Result again = study::run_scenario(scenario::load(emitted));
  CHECK(tokens_per_second(again) == r.outcomes[*r.best].figures.at(*metric_index("tokens_per_second")));
}

TEST_CASE("search: a requirement it cannot read is refused naming it") {
  testing::TempDir dir;
  const scenario::Scenario s = scenario::load(write_case(dir));
  CHECK_THROWS_WITH(study::search_options(s, {"tokens_per_secnd>=2"}, "tokens_per_second", 1),
                    Catch::Contains("--require tokens_per_secnd>=2") && Catch::Contains("unknown metric"));
  CHECK_THROWS_WITH(study::search_options(s, {"time_to_first_token<=30s"}, "tokens_per_second", 1),
                    Catch::Contains("only a generation"));
  CHECK_THROWS_WITH(study::search_options(s, {"token_latency<=fast"}, "tokens_per_second", 1),
                    Catch::Contains("--require token_latency<=fast"));
  CHECK_THROWS_WITH(study::search_options(s, {"nodes"}, "tokens_per_second", 1), Catch::Contains("not a flag"));
}

TEST_CASE("search: three --shard slices, merged, report what one unsharded search reports") {
  testing::TempDir dir;
  const scenario::Scenario s = scenario::load(write_case(dir));
  const study::SearchOptions options = study::search_options(s, {"fits"}, "tokens_per_second", 2);
  std::vector<std::string> parts;
  for (std::size_t k = 1; k <= 3; ++k) {
    std::ostringstream slice;
    table::write_table(slice, study::search_slice(s, options, study::Shard{k, 3}), table::TableFormat::csv);
    parts.push_back(dir.write("part" + std::to_string(k) + ".csv", slice.str()));
  }
  std::ostringstream merged;
  table::merge_tables(merged, parts, false);
  const std::string all = dir.write("all.csv", merged.str());
  std::ostringstream from_slices, whole;
  study::write_search(from_slices, s, options, study::search_from_table(s, options, table::read_table_file(all), all));
  study::write_search(whole, s, options, study::run_search(s, options));
  CHECK(from_slices.str() == whole.str());
  // A table of another scenario's candidates is refused.
  const scenario::Scenario other = scenario::load(write_case(dir), {"run.batch=1"});
  CHECK_THROWS_AS(study::search_from_table(other, study::search_options(other, {}, "tokens_per_second", 1),
                                           table::read_table_file(all), all),
                  InputError);
}

namespace {

// Two 4 GiB boards at 5 GB/s (pi0, pi1) and a 16 GiB desktop at 35 GB/s (desk), declared in that order on one
// switch, with a transformer small enough to try every subset of nodes by hand: the first N nodes are never the
// desktop alone, so a search over prefixes could not find it.
std::string write_mixed_case(const testing::TempDir& dir, const std::string& plan) {
  dir.write("mixed.toml", testing::mixed_nodes_topology());
  return dir.write("mixed-case.toml", R"(topology = "mixed.toml"
[transformer]
vocab = 32000
d_model = 1024
layers = 8
heads = 8
kv_heads = 4
head_dim = 128
d_ff = 4096
mlp = "swiglu"
max_context = 256
weights = "q8_0"
kv_cache = "fp16"
activations = "q8_0"
[run]
batch = 2
context = 64
[plan]
)" + plan);
}

}  // namespace

TEST_CASE("search on mixed nodes: which nodes and which split, the best of every subset tried by hand") {
  testing::TempDir dir;
  const scenario::Scenario s = scenario::load(write_mixed_case(dir, "strategy = \"tensor\"\nnodes = 1\n"));
  const study::SearchOptions options = study::search_options(s, {"fits"}, "tokens_per_second", 2);
  const study::SearchResult r = study::run_search(s, options);
  REQUIRE(r.best);
  const double found = r.outcomes[*r.best].figures.at(*metric_index("tokens_per_second"));

  // By hand: every subset of the three nodes (in rank order fastest first: the desktop, then the boards in
  // declaration order), every strategy with every tensor degree, micro-batch count, collective and split, and
  // every runtime at each of its versions.
  const std::vector<std::string> subsets{"[\"pi0\"]",         "[\"pi1\"]",         "[\"desk\"]",
                                         "[\"pi0\", \"pi1\"]", "[\"desk\", \"pi0\"]", "[\"desk\", \"pi1\"]",
                                         "[\"desk\", \"pi0\", \"pi1\"]"};
  const std::vector<std::string> algorithms{"", "direct", "ring", "tree", "recursive_doubling", "hierarchical"};
  std::vector<std::string> tables;
  for (const std::string& use : subsets) {
    for (const plan::Strategy* st : plan::strategies()) {
      const std::string head = std::string(st->is_runtime() ? "runtime" : "strategy") + " = \"" +
                               std::string(st->name()) + "\"\nuse = " + use + "\n";
      if (st->is_runtime()) {
        std::vector<std::string> versions = st->versions();
        versions.emplace_back();
        for (const std::string& v : versions) tables.push_back(head + (v.empty() ? "" : "runtime_version = \"" + v + "\"\n"));
        continue;
      }
      for (int td = 0; td <= 3; ++td) {
        for (int mb = 0; mb <= 2; ++mb) {
          for (const std::string& a : algorithms) {
            for (const std::string split : {"", "memory", "speed"}) {
              std::string t = head;
              if (td > 0) t += "tensor_degree = " + std::to_string(td) + "\n";
              if (mb > 0) t += "micro_batches = " + std::to_string(mb) + "\n";
              if (!a.empty()) t += "collective = \"" + a + "\"\n";
              if (!split.empty()) t += "split = \"" + split + "\"\n";
              tables.push_back(t);
            }
          }
        }
      }
    }
  }
  double best = 0;
  std::string best_table;
  for (const std::string& t : tables) {
    try {
      const report::Result one = study::run_scenario(scenario::load(write_mixed_case(dir, t)));
      if (one.figures.at(*metric_index("fits")) < 1) continue;
      if (tokens_per_second(one) > best) {
        best = tokens_per_second(one);
        best_table = t;
      }
    } catch (const InputError&) {
      // refused, as the user would be told
    }
  }
  CAPTURE(best_table, r.candidates[*r.best].label);
  CHECK(found == best);
  // The search reaches plans a prefix of the declared nodes cannot: some simulated candidate uses the desktop
  // without both boards.
  bool desk_without_boards = false;
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const std::string& label = r.candidates[i].label;
    desk_without_boards = desk_without_boards || (r.outcomes[i].verdict == study::Verdict::simulated &&
                                                  label.find("1xbig") != std::string::npos &&
                                                  label.find("2xsmall") == std::string::npos);
  }
  CHECK(desk_without_boards);
}
