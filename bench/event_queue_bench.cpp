// Google Benchmark of core::Engine in the classic "hold" model (Jones, CACM 1986): with N events pending, each step
// pops the earliest and schedules one new event at now + a random delay, so N stays constant. Delays are
// exponential with a mean of 1 us, drawn once from a fixed-seed splitmix64 into a table, so the loop measures the
// queue, not the random number generator. items_per_second = events processed per second.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "shardsim/core/engine.hpp"

namespace {

using shardsim::Time;
using shardsim::core::Engine;
using shardsim::core::EventId;

// A typical small payload: two ints (e.g. an op index and a node index).
struct Payload {
  std::int32_t a;
  std::int32_t b;
};

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr std::size_t table_size = std::size_t{1} << 14;  // 128 KiB of delays

std::vector<Time> delay_table(std::uint64_t seed) {
  std::vector<Time> delays(table_size);
  for (Time& d : delays) {
    // u in (0, 1]: the top 53 bits of a 64-bit draw, plus one ulp so that log(u) is finite.
    const double u = (static_cast<double>(splitmix64(seed) >> 11) + 1.0) * 0x1.0p-53;
    d = Time::from_seconds(-1e-6 * std::log(u));
  }
  return delays;
}

// Log-uniform delays from 1 ns to 1 s (2^10 to 2^40 ps): many short events among long timers.
std::vector<Time> wide_delay_table(std::uint64_t seed) {
  std::vector<Time> delays(table_size);
  for (Time& d : delays) {
    const double u = static_cast<double>(splitmix64(seed) >> 11) * 0x1.0p-53;  // [0, 1)
    d = Time{static_cast<std::int64_t>(std::exp2(10.0 + 30.0 * u))};
  }
  return delays;
}

void prefill(Engine<Payload>& engine, const std::vector<Time>& delays, std::size_t& next, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    engine.schedule_after(delays[next++ % table_size], Payload{static_cast<std::int32_t>(i), 0});
  }
}

// Hold: pop one event, schedule one.
void BM_EngineHold(benchmark::State& state) {
  const std::vector<Time> delays = delay_table(42);
  std::size_t next = 0;
  Engine<Payload> engine;
  prefill(engine, delays, next, state.range(0));
  auto handler = [&](const Payload& p) {
    engine.schedule_after(delays[next++ % table_size], Payload{p.a, p.b + 1});
  };
  for (auto _ : state) {
    engine.step(handler);
  }
  benchmark::DoNotOptimize(engine.now());
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(engine.pending());
}
BENCHMARK(BM_EngineHold)->Arg(1000)->Arg(100000)->Arg(1000000);

// Hold with delays spread over nine decades.
void BM_EngineHoldWide(benchmark::State& state) {
  const std::vector<Time> delays = wide_delay_table(11);
  std::size_t next = 0;
  Engine<Payload> engine;
  prefill(engine, delays, next, state.range(0));
  auto handler = [&](const Payload& p) {
    engine.schedule_after(delays[next++ % table_size], Payload{p.a, p.b + 1});
  };
  for (auto _ : state) {
    engine.step(handler);
  }
  benchmark::DoNotOptimize(engine.now());
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(engine.pending());
}
BENCHMARK(BM_EngineHoldWide)->Arg(1000)->Arg(100000)->Arg(1000000);

// Hold with a timeout per step: each event schedules its successor and a timeout 10 delays later, and cancels the
// timeout scheduled by the previous event (the common "arm a timer, disarm it when the reply comes" pattern).
// Two schedules and one cancel per processed event; cancelled entries are skipped or purged lazily.
void BM_EngineHoldCancel(benchmark::State& state) {
  const std::vector<Time> delays = delay_table(7);
  std::size_t next = 0;
  Engine<Payload> engine;
  prefill(engine, delays, next, state.range(0));
  EventId timer = shardsim::core::no_event;
  auto handler = [&](const Payload& p) {
    const Time d = delays[next++ % table_size];
    engine.schedule_after(d, Payload{p.a, p.b + 1});
    engine.cancel(timer);
    timer = engine.schedule_after(d * 10, Payload{-1, 0});
  };
  for (auto _ : state) {
    engine.step(handler);
  }
  benchmark::DoNotOptimize(engine.now());
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(engine.pending());
}
BENCHMARK(BM_EngineHoldCancel)->Arg(1000)->Arg(100000)->Arg(1000000);

}  // namespace

BENCHMARK_MAIN();
