#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "shardsim/app/command_options.hpp"
#include "shardsim/app/commands.hpp"
#include "shardsim/app/progress_bar.hpp"
#include "shardsim/app/usable_cores.hpp"
#include "shardsim/scenario/plan_candidate.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/memory_estimate.hpp"
#include "shardsim/study/search.hpp"
#include "shardsim/table/table.hpp"
#include "shardsim/table/table_file.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace {

// The topology as the emitted file names it: relative to the emitted file's folder, so the pair can move together.
std::string topology_reference(const std::string& topology_path, const std::string& emit_path) {
  namespace fs = std::filesystem;
  const fs::path from = fs::absolute(fs::path(emit_path)).parent_path();
  return fs::absolute(fs::path(topology_path)).lexically_normal().lexically_relative(from).generic_string();
}

}  // namespace

int search_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim search SCENARIO [--require CONDITION]... [options]

Tries every plan that can run the scenario's model on its topology (strategy or runtime, nodes, tensor degree,
micro-batches, collective, runtime version), prunes what its strategy refuses or what cannot fit, simulates the
rest, and prints the Pareto fronts of tokens/s against nodes, price and power, and the best plan.
example: shardsim search scenarios/llama3-70b-pi5-16gb-tensor-8.toml --require fits --require tokens_per_second>=1
example: shardsim search S.toml --require nodes<=16 --rank tokens_per_joule --emit best.toml

options)");
  options.input("scenario", "scenario file")
      .set("override a key of the scenario, e.g. --set run.batch=4 (repeatable)")
      .format(table::table_format_names(), "with --shard: the slice's table format, csv or jsonl")
      .output("write the report to this file instead of standard output")
      .max_memory();
  options.add()("require", po::value<std::vector<std::string>>(),
                "a condition on a metric: fits, tokens_per_second>=2, nodes<=16, time_to_first_token<=30s "
                "(repeatable)")(
      "rank", po::value<std::string>()->default_value("tokens_per_second"),
      "the metric the best plan is best at (times, price, power and energy: less is better)")(
      "emit", po::value<std::string>(), "write the best plan as a runnable scenario file")(
      "jobs,j", po::value<unsigned>()->default_value(usable_cores()),
      "candidates simulated at once (default: every core this process may use)")(
      "shard", po::value<std::string>(),
      "K/N: judge only candidates i with i % N == K - 1 and write them as a table (join the slices with "
      "shardsim merge, then read them back with --merged)")(
      "merged", po::value<std::string>(), "report from a merged table of --shard slices instead of simulating");
  if (!options.parse(args, out)) return 0;
  const unsigned jobs = options.value<unsigned>("jobs");
  if (jobs == 0) throw command_line_error("--jobs: expected at least 1");

  const scenario::Scenario s = scenario::load(options.text("scenario"), options.sets());
  const study::SearchOptions search =
      study::search_options(s, options.texts("require"), options.text("rank"), jobs);
  if (!options.has("merged")) {
    // Before any candidate runs: the search holds every candidate's outcome until it reports.
    const std::vector<study::Candidate> candidates = study::enumerate_candidates(s);
    check_memory(study::search_table_bytes(candidates), options.memory_limit(),
                 "the search's table of " + std::to_string(candidates.size()) + " candidates",
                 "search in slices (--shard K/N, then shardsim merge and --merged), restrict the topology's nodes, "
                 "or raise --max-memory");
  }
  study::SearchProgress progress;
  if (isatty(STDERR_FILENO)) progress = ProgressBar(std::cerr);
  OutputSink sink(options, out);
  if (options.has("shard")) {
    if (options.has("merged") || options.has("emit")) throw command_line_error("--shard writes a slice: no --merged, --emit");
    const table::Table slice = study::search_slice(s, search, study::parse_shard(options.text("shard")), progress);
    table::write_table(sink.stream(), slice, *table::table_format_named(options.format()));
    return 0;
  }
  const study::SearchResult result =
      options.has("merged")
          ? study::search_from_table(s, search, table::read_table_file(options.text("merged")), options.text("merged"))
          : study::run_search(s, search, progress);

  study::write_search(sink.stream(), s, search, result);
  if (options.has("emit")) {
    if (!result.best) throw command_line_error("--emit: no plan meets the requirements");
    const std::string path = options.text("emit");
    std::ofstream file = open_for_writing(path);
    file << scenario::scenario_with_plan(s.path, options.sets(), result.candidates[*result.best].plan_toml,
                                         topology_reference(s.topology_path, path));
    if (!file) throw command_line_error("writing " + path + " failed");
    sink.stream() << "\nwrote " << path << " (run it: shardsim run " << path << ")\n";
  }
  return 0;
}

}  // namespace shardsim::app
