#include "shardsim/app/commands.hpp"

#include <fstream>

#include "shardsim/study/pipeline.hpp"
#include "shardsim/report/trace_writer.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int run_command(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim run SCENARIO [options]\n\n"
      "Simulates one token of the scenario and prints the report.\n"
      "example: shardsim run scenarios/gpt4-1024-pi4.toml --set plan.nodes=512 --format json\n\noptions");
  options.add_options()("scenario", po::value<std::string>()->required(), "scenario file")(
      "format", po::value<std::string>()->default_value("text"), "report format: text or json")(
      "set", po::value<std::vector<std::string>>(), "override a key, e.g. --set model.layers=24 (repeatable)")(
      "output,o", po::value<std::string>(), "write the report to this file instead of standard output")(
      "trace", po::value<std::string>(), "also write the timeline as a Chrome trace (open in ui.perfetto.dev)")(
      "trace-limit", po::value<std::size_t>()->default_value(1'000'000),
      "at most this many link spans in the trace (the rest are counted)");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  Parsed p = parse_options(args, options, positional);
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  const std::string format = p.vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    throw InputError(SourcePos{"command line", 0, 0}, "--format: expected text or json, got '" + format + "'");
  }
  const scenario::Scenario s = scenario::load(p.vm["scenario"].as<std::string>(), strings(p.vm, "set"));
  exec::Trace trace;
  trace.max_link_spans = p.vm["trace-limit"].as<std::size_t>();
  const bool tracing = p.vm.count("trace") > 0;
  const report::Result result = study::run_scenario(s, tracing ? &trace : nullptr);
  if (tracing) {
    const std::string path = p.vm["trace"].as<std::string>();
    std::ofstream trace_file(path);
    if (!trace_file) throw InputError(SourcePos{"command line", 0, 0}, "cannot write '" + path + "'");
    report::write_chrome_trace(trace_file, trace, s.topology);
  }
  std::ofstream file;
  if (p.vm.count("output")) {
    file.open(p.vm["output"].as<std::string>());
    if (!file) throw InputError(SourcePos{"command line", 0, 0}, "cannot write '" + p.vm["output"].as<std::string>() + "'");
  }
  std::ostream& sink = file.is_open() ? file : out;
  if (format == "json") {
    report::write_json(sink, result);
  } else {
    report::write_text(sink, result);
  }
  return 0;
}

}  // namespace shardsim::app
