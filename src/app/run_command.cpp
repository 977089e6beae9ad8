#include "shardsim/app/commands.hpp"

#include <iomanip>
#include <sstream>

#include "shardsim/app/command_options.hpp"
#include "shardsim/report/trace_writer.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/alternatives.hpp"
#include "shardsim/study/memory_estimate.hpp"
#include "shardsim/study/pipeline.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

namespace {

// Refuses, before anything is simulated, a run whose memory bound (study/memory_estimate.hpp) is above `limit`; a run
// whose plan's floor alone is above it, before the plan is built.
void check_run_memory(const scenario::Scenario& s, std::uint64_t limit) {
  const study::RunEstimate estimate = study::bound_run(s, limit);
  const auto count = [](double n) {
    std::ostringstream text;
    text << std::setprecision(3) << n;
    return text.str();
  };
  const std::string least = estimate.lower_bound ? "at least " : "";
  check_memory(estimate.bytes, limit,
               "this run (" + least + count(estimate.size.ops) + " ops, " + (estimate.lower_bound ? least : "up to ") +
                   count(estimate.size.steps) + " point-to-point messages in one block, collectives of " +
                   (estimate.lower_bound ? "" : "up to ") + count(estimate.size.ranks) + " ranks)",
               "use fewer nodes (plan.nodes), a collective with fewer messages (plan.collective = \"tree\" sends "
               "2(p-1) for p ranks, \"ring\" 2p(p-1)), or raise --max-memory",
               estimate.lower_bound ? Bound::lower : Bound::upper);
}

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim run SCENARIO [options]

Simulates one token of the scenario and prints the report.
example: shardsim run scenarios/gpt4-1024-pi4.toml --set plan.nodes=512 --format json

options)");
  options.input("scenario", "scenario file")
      .format({"text", "json"}, "report format: text or json")
      .set("override a key, e.g. --set model.layers=24 (repeatable)")
      .output("write the report to this file instead of standard output")
      .max_memory();
  options.add()("trace", po::value<std::string>(),
                "also write the timeline as a Chrome trace (open in ui.perfetto.dev)")(
      "trace-limit", po::value<std::size_t>()->default_value(1'000'000),
      "at most this many link spans per block in the trace (the rest are counted)")(
      "trace-repeat", po::value<std::string>()->default_value("once"),
      "once: each repeated block (layer) once in the trace; all: every repetition, one after another");
  if (!options.parse(args, out)) return 0;

  const std::string repeat = options.text("trace-repeat");
  if (repeat != "once" && repeat != "all") {
    throw command_line_error("--trace-repeat: expected once or all, not '" + repeat + "'");
  }
  const scenario::Scenario s = scenario::load(options.text("scenario"), options.sets());
  check_run_memory(s, options.memory_limit());
  exec::Trace trace;
  trace.max_link_spans = options.value<std::size_t>("trace-limit");
  trace.all_repeats = repeat == "all";
  const bool tracing = options.has("trace");
  report::Result result = study::run_scenario(s, tracing ? &trace : nullptr);
  // The choices the user should know about: the other collectives or runtime versions, each simulated once.
  study::add_alternatives(s, result);
  if (tracing) {
    std::ofstream trace_file = open_for_writing(options.text("trace"));
    report::write_chrome_trace(trace_file, trace, s.topology);
  }
  OutputSink sink(options, out);
  if (options.format() == "json") {
    report::write_json(sink.stream(), result);
  } else {
    report::write_text(sink.stream(), result);
  }
  return 0;
}

}  // namespace shardsim::app
