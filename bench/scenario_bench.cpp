// Whole-scenario wall time and simulated events per second: each benchmark loads a file from scenarios/ and runs
// the full pipeline (plan, execute, result). Run from a Release build in the repository root, e.g.
//   ./build/bench/shardsim_bench_scenario --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "shardsim/study/pipeline.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace {

void run_file(benchmark::State& state, const char* file) {
  const shardsim::scenario::Scenario s = shardsim::scenario::load(std::string(SHARDSIM_SOURCE_DIR "/") + file);
  std::uint64_t events = 0;
  std::uint64_t transfers = 0;
  for (auto _ : state) {
    const shardsim::report::Result r = shardsim::study::run_scenario(s);
    events += r.stats.events;
    transfers = r.stats.transfers;
    benchmark::DoNotOptimize(r.figures.data());
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["transfers/token"] = static_cast<double>(transfers);
}

void BM_SeedLayer4(benchmark::State& state) { run_file(state, "scenarios/seed-layer-4-batch6.toml"); }
void BM_SeedLayer128(benchmark::State& state) { run_file(state, "scenarios/seed-layer-128-batch6.toml"); }
// One GPT-4 token: one 1024-node layer with two experts is simulated (2 x 1,047,552 all-gather messages plus
// broadcasts and gathers), then multiplied by 192 layers.
void BM_Gpt4Token(benchmark::State& state) { run_file(state, "scenarios/gpt4-1024-pi4.toml"); }

}  // namespace

// A generation (prefill + 32 decode steps, every layer simulated: seeded expert routing) and training steps.
void BM_MixtralChat(benchmark::State& state) { run_file(state, "scenarios/mixtral-pi5-16gb-expert-chat.toml"); }
void BM_Llama70bTp8Pp2(benchmark::State& state) { run_file(state, "scenarios/llama3-70b-pi5-16gb-tp8-pp2.toml"); }
void BM_TrainTinyllamaZero3(benchmark::State& state) {
  run_file(state, "scenarios/tinyllama-pi5-16gb-dp4-zero3.toml");
}
void BM_TrainLlama8bTp8Pp2(benchmark::State& state) { run_file(state, "scenarios/llama3-8b-pi5-16gb-tp8-pp2.toml"); }

BENCHMARK(BM_SeedLayer4)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SeedLayer128)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Gpt4Token)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_MixtralChat)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Llama70bTp8Pp2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TrainTinyllamaZero3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TrainLlama8bTp8Pp2)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
