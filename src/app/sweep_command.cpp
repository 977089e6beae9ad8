#include "shardsim/app/commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "shardsim/app/command_options.hpp"
#include "shardsim/app/plot.hpp"
#include "shardsim/app/progress_bar.hpp"
#include "shardsim/app/usable_cores.hpp"
#include "shardsim/study/memory_estimate.hpp"
#include "shardsim/study/sweep.hpp"
#include "shardsim/table/table.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace {

// --plot FILE.svg with --x, --y and --series: what to draw once the table is written (no output: no plot).
PlotSpec plot_spec(const CommandOptions& options) {
  const PlotSpec plot{options.text("x"), options.text("y"), options.text("series"), options.text("plot"),
                      options.value<bool>("y-auto")};
  if (plot.output.empty() && (!plot.x.empty() || !plot.y.empty() || !plot.series.empty() || plot.y_auto)) {
    throw command_line_error("--x, --y, --series and --y-auto go with --plot FILE.svg");
  }
  if (!plot.output.empty() && (plot.x.empty() || plot.y.empty())) {
    throw command_line_error("--plot needs --x KEY and --y METRIC");
  }
  return plot;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim sweep SCENARIO [--sweep key=v1,v2,...]... [options]

Runs the scenario at every point of the cross product of its [sweep] table and the --sweep axes (the last
axis varies fastest) and writes one row per point: point, the axis values, every metric.
example: shardsim sweep scenarios/seed-layer-4-batch6.toml --sweep plan.nodes=1..4 --sweep run.batch=1..64*4
example: shardsim sweep S.toml --sweep plan.nodes=8..1024*2 --shard 3/16 -o part3.csv   (then: shardsim merge)

options)");
  options.input("scenario", "scenario file");
  options.add()("sweep", po::value<std::vector<std::string>>(),
                "an axis: key=v1,v2,... or a range key=a..b (step 1), a..b+k, a..b*k (repeatable)");
  options.set("override a key at every point, e.g. --set run.batch=8 (repeatable)")
      .format(table::table_format_names(), "table format: csv or jsonl (JSON lines)")
      .output("write the table to this file instead of standard output")
      .max_memory();
  options.add()("quiet,q", po::bool_switch(), "no progress on standard error")("jobs,j", po::value<unsigned>()->default_value(usable_cores()),
                "points run at once (default: every core this process may use)")(
      "shard", po::value<std::string>(),
      "K/N: run only points i with i % N == K - 1 (slice K of N, for a job array; join with shardsim merge)")(
      "plot", po::value<std::string>(),
      "also draw the table with gnuplot into this .svg or .png file (needs --x and --y)");
  options.plot_axes(false);
  if (!options.parse(args, out)) return 0;

  const table::TableFormat format = *table::table_format_named(options.format());
  const unsigned jobs = options.value<unsigned>("jobs");
  if (jobs == 0) throw command_line_error("--jobs: expected at least 1");
  const study::Shard shard = options.has("shard") ? study::parse_shard(options.text("shard")) : study::Shard{};
  const PlotSpec plot = plot_spec(options);

  const study::SweepSpec spec = study::make_sweep(options.text("scenario"), options.sets(), options.texts("sweep"));
  if (!plot.output.empty()) {  // before the sweep runs, not after
    check_plot_columns(study::sweep_header(spec), plot);
    require_gnuplot();
  }
  OutputSink sink(options, out);
  const std::vector<std::size_t> points = study::shard_points(study::point_count(spec.axes), shard);
  // Before any point runs: the table is held whole until it is written.
  check_memory(study::sweep_table_bytes(spec, points.size()), options.memory_limit(),
               "the table of " + std::to_string(points.size()) + " points",
               "run it in slices (--shard K/N, then shardsim merge), sweep fewer values, or raise --max-memory");
  study::SweepProgress progress;
  if (!options.value<bool>("quiet")) {
    if (isatty(STDERR_FILENO)) {
      progress = ProgressBar(std::cerr);
    } else {
      progress = ProgressLines(std::cerr);
    }
  }
  const table::Table results = study::run_sweep(spec, points, jobs, progress);

  table::write_table(sink.stream(), results, format);
  sink.stream().flush();
  if (!sink.stream()) throw command_line_error("writing the table failed");
  if (!plot.output.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : results.rows) {
      std::vector<std::string> cells;
      for (const table::Cell& c : row) cells.push_back(c.text);
      rows.push_back(std::move(cells));
    }
    plot_table(results.header, rows, plot);
  }
  return 0;
}

}  // namespace shardsim::app
