#pragma once
// Upper bounds of the memory a command will take, computed before it runs, so that a run too large for the machine
// is refused with the estimate instead of growing until the system kills it.
// A sweep keeps its whole table until it is written (rows come back out of order from the worker threads): per row
// a vector of table::Cell, one per column, and each cell's text. Bytes are counted as glibc's allocator spends them
// (a block of n bytes takes max(32, n + 8 rounded up to 16)), for the longest text a column can hold.

#include <cstddef>
#include <cstdint>

#include "shardsim/exec/run_size_bound.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/search.hpp"
#include "shardsim/study/sweep.hpp"

namespace shardsim::study {

// The longest text of a metric cell: "%.17g" of a double, e.g. "-2.2250738585072014e-308" (24 characters).
inline constexpr std::size_t kLongestFigureText = 24;

// Bytes of one heap block holding `request` bytes (glibc malloc: an 8-byte header, 16-byte alignment, 32 at least).
std::size_t heap_block(std::size_t request);

// An upper bound of the bytes the table of `points` points of `spec` holds: the row vectors, their cells, and the
// cell texts (a text longer than std::string's inline buffer takes a heap block of its length + 1).
std::uint64_t sweep_table_bytes(const SweepSpec& spec, std::size_t points);

// A single run (`shardsim run`): an upper bound of what it takes beyond the loaded scenario, from the planned op
// graph: the graph itself and the largest block's run state (exec::run_size_bound: ops, every collective expanded,
// every step's message in flight), and, when the scenario generates, one more pass's graph (each pass of the
// generation is planned while the decode step's graph is still held). Plans the scenario to count: the graph is
// linear in the plan's ranks, the expansion of its collectives is not (a ring over p ranks has 2p(p-1) steps);
// floor_run bounds from below what planning itself would take.
struct RunEstimate {
  exec::RunSizeBound size;
  std::uint64_t bytes = 0;
  bool lower_bound = false;  // a floor's (floor_run): the run takes at least this much
};
RunEstimate estimate_run(const scenario::Scenario& scenario);

// A lower bound of estimate_run, without planning: the strategy's floor of the plan (study::floor_scenario,
// plan/plan_floor.hpp) counted by exec::run_size_floor, plus the second graph of a generation as estimate_run counts
// it. Planning is itself what cannot be afforded past some size (a data-parallel training step's graph is about
// 235 kB per rank: a million ranks plan ~235 GB), so a run is first held to its floor. Zero where the strategy
// knows no floor.
RunEstimate floor_run(const scenario::Scenario& scenario);

// What a command that bounds a run compares with its limit: the floor when it alone is above `limit` (the plan is
// then never built; lower_bound is set), else estimate_run. A limit of 0 checks nothing, so bounds the run in full.
RunEstimate bound_run(const scenario::Scenario& scenario, std::uint64_t limit);

// A search (`shardsim search`): an upper bound of its table, held until the report is written: per candidate its
// [plan] text and label, its outcome (a figure per catalog metric and a reason, counted at kLongestReason
// characters: one error message), and with --shard the slice's row of cells (as a sweep's). Not the candidates'
// runs: `jobs` of them run at once, each as large as estimate_run says for its plan.
inline constexpr std::size_t kLongestReason = 1024;
std::uint64_t search_table_bytes(const std::vector<Candidate>& candidates);

}  // namespace shardsim::study
