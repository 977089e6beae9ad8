// The network's speed on the yardstick: a direct all-gather of 96-byte pieces among the 1024 nodes of
// topologies/pi4-1024-tree-1g.toml (1,047,552 point-to-point transfers), under each network model.
// Reports wall time per all-gather, engine events per second and the process's peak resident memory.
//   ./build/bench/shardsim_bench_network --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "shardsim/exec/executor.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace {

using namespace shardsim;

plan::OpGraph all_gather(int nodes, Bytes piece) {
  plan::CollectiveOp op;
  op.spec.kind = collective::CollectiveKind::all_gather;
  op.spec.algorithm = collective::Algorithm::direct;
  op.spec.pieces.assign(static_cast<std::size_t>(nodes), piece);
  for (int i = 0; i < nodes; ++i) op.members.push_back(i);
  plan::OpGraph graph;
  graph.blocks.push_back(plan::Block{"all-gather", 1, {plan::Op{"all_gather", op, {}}}});
  return graph;
}

void run(benchmark::State& state, net::NetworkModelKind model) {
  const topo::Topology topology =
      scenario::load_topology(SHARDSIM_SOURCE_DIR "/topologies/pi4-1024-tree-1g.toml");
  const plan::OpGraph graph = all_gather(topology.node_count(), Bytes{96});
  net::NetworkOptions options;
  options.model = model;
  std::uint64_t events = 0;
  std::uint64_t transfers = 0;
  Time simulated;
  for (auto _ : state) {
    const exec::RunStats stats = exec::execute(topology, graph, options);
    events += stats.events;
    transfers = stats.transfers;
    simulated = stats.token_latency;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["transfers"] = static_cast<double>(transfers);
  state.counters["simulated_s"] = simulated.seconds();
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_AllGather1024_Fifo(benchmark::State& state) { run(state, net::NetworkModelKind::fifo); }
void BM_AllGather1024_Fair(benchmark::State& state) { run(state, net::NetworkModelKind::fair); }

}  // namespace

BENCHMARK(BM_AllGather1024_Fifo)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_AllGather1024_Fair)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
