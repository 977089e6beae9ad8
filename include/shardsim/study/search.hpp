#pragma once
// `shardsim search`: which plan runs the scenario's model on its cluster best. The search enumerates candidate
// [plan] tables: every strategy and runtime (each runtime version that behaves differently), every choice of nodes
// (the first N on nodes of one type; on mixed types, how many of each, named by plan.use fastest type first), and
// where the strategy reads them (found by asking it: a key it does not read is refused as unknown), every tensor
// degree dividing the node count, every micro-batch count dividing the batch and every split ("even", "memory",
// "speed": plan.split of layers, heads or experts); every collective algorithm where the plan has collectives.
// It prunes in three steps, cheapest first:
//   1. refused: the strategy's own read() and the loader's collective check refuse the candidate (divisibility,
//      model limits, batch rules), exactly as they would refuse the same [plan] in a file;
//   2. closed forms: a plan that runs no collective is tried with the first algorithm only, a split that comes out
//      even (or, for "speed", as "memory") once; the nodes' usable RAM added up is less than the model's weights,
//      or the planned footprint does not fit (when `fits` is required, or a node has no storage to stream from);
//      or the plan uses more nodes than `nodes<=N` allows;
//   3. simulated: the decode step (and, when the scenario generates, its generation), as `shardsim run` does.
// Candidates run on a pool of threads; every result lands in its candidate's slot, and ties are broken by the
// candidate's index, so the output is the same whatever the number of threads.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "shardsim/report/result.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/sweep.hpp"
#include "shardsim/table/table.hpp"
#include "shardsim/table/table_file.hpp"

namespace shardsim::study {

// One --require: `metric OP value` (OP is >= or <=), or a bare flag metric ("fits": fits >= 1).
struct Requirement {
  std::string text;  // as given
  std::size_t metric = 0;  // index in metric_catalog()
  bool at_least = true;    // >=; else <=
  double value = 0;        // in the metric's base unit
};
// "fits", "tokens_per_second>=2", "nodes<=16", "time_to_first_token<=30s" (a time, size or rate with its unit as
// the metric's unit asks, or a bare number). InputError naming the argument otherwise, or a generation figure for
// a scenario that does not generate.
Requirement parse_requirement(const std::string& text, const scenario::Scenario& scenario);

struct Candidate {
  std::string plan_toml;  // the [plan] table's body, one key per line
  std::string label;      // "pipeline nodes=16 tensor_degree=8 micro_batches=4 collective=ring"
  bool uneven = false;    // names a split other than "even" (the same plan as even when the nodes are alike)
};

// Every candidate for the scenario, in a fixed order (strategies as registered, then nodes, degrees, micro-batches,
// collectives, versions ascending).
std::vector<Candidate> enumerate_candidates(const scenario::Scenario& scenario);

enum class Verdict { refused, pruned, simulated };

struct Outcome {
  Verdict verdict = Verdict::refused;
  std::string reason;  // refused or pruned: why
  int nodes = 0;
  std::vector<double> figures;  // simulated: indexed like metric_catalog()
  std::string currency;         // of cluster_price, when the nodes give prices
  bool meets = false;           // simulated and meets every requirement
};

struct SearchOptions {
  std::vector<Requirement> requirements;
  std::size_t rank_metric = 0;  // the figure "best" maximizes (or minimizes: rank_lower_is_better)
  bool rank_lower_is_better = false;
  unsigned jobs = 1;
};

struct SearchResult {
  std::vector<Candidate> candidates;
  std::vector<Outcome> outcomes;  // one per candidate
  std::optional<std::size_t> best;  // the candidate that meets every requirement and ranks first
  // Pareto fronts over the candidates that meet every requirement: tokens/s (more is better) against nodes, the
  // cluster's price and its average power (less is better); each in increasing cost. Price and power fronts are
  // empty when the nodes give no such figures.
  std::vector<std::size_t> front_nodes, front_price, front_power;
};

// Called after each candidate is judged with (candidates done, candidates in all); calls are serialized.
using SearchProgress = std::function<void(std::size_t done, std::size_t total)>;

// `rank` is a catalog metric name; "lower is better" for times, prices, power, energy, nodes and bytes.
SearchOptions search_options(const scenario::Scenario& scenario, const std::vector<std::string>& requirements,
                             const std::string& rank, unsigned jobs);
SearchResult run_search(const scenario::Scenario& scenario, const SearchOptions& options,
                        const SearchProgress& progress = {});

// A search spread over a job array, as sweeps are (`--shard K/N`, then `shardsim merge`): the slice judges only
// the candidates i with i % N == K - 1 and writes them as a table (point = the candidate's index, plan, verdict,
// reason, then every catalog figure); the merged table is read back against the same scenario's candidates (the
// plans must match, row for row), requirements are applied again, and the fronts and the best are computed as
// one unsharded search would.
table::Table search_slice(const scenario::Scenario& scenario, const SearchOptions& options, Shard shard,
                          const SearchProgress& progress = {});
SearchResult search_from_table(const scenario::Scenario& scenario, const SearchOptions& options,
                               const table::TableFile& merged, const std::string& file);

// The text report: counts, the fronts, the best plan (or why there is none).
void write_search(std::ostream& out, const scenario::Scenario& scenario, const SearchOptions& options,
                  const SearchResult& result);

}  // namespace shardsim::study
