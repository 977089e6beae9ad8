// How long `shardsim search` takes on the large case: Llama 3 70B (q4_0) on 64 Raspberry Pi 5 16 GB
// (bench/llama3-70b-pi5-16gb-64.toml), every strategy, runtime version, node count, degree, micro-batch count and
// collective that applies, with `fits` required, on every core this process may use. One iteration is one whole
// search; the counters say how many candidates it judged and how many it simulated.
//   ./build/bench/shardsim_bench_search --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <thread>

#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/search.hpp"

namespace {

void BM_SearchLlama3_70B_64Pi5(benchmark::State& state) {
  const shardsim::scenario::Scenario s = shardsim::scenario::load(
      SHARDSIM_SOURCE_DIR "/bench/llama3-70b-pi5-16gb-64.toml", {"topology.star.0.node_type=\"pi5-16gb\""});
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  const shardsim::study::SearchOptions options = shardsim::study::search_options(s, {"fits"}, "tokens_per_second", jobs);
  std::size_t candidates = 0, simulated = 0, refused = 0;
  for (auto _ : state) {
    const shardsim::study::SearchResult r = shardsim::study::run_search(s, options);
    candidates = r.candidates.size();
    simulated = refused = 0;
    for (const shardsim::study::Outcome& o : r.outcomes) {
      simulated += o.verdict == shardsim::study::Verdict::simulated;
      refused += o.verdict == shardsim::study::Verdict::refused;
    }
    benchmark::DoNotOptimize(r.best);
  }
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["refused"] = static_cast<double>(refused);
  state.counters["simulated"] = static_cast<double>(simulated);
  state.counters["jobs"] = jobs;
}

}  // namespace

BENCHMARK(BM_SearchLlama3_70B_64Pi5)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

BENCHMARK_MAIN();
