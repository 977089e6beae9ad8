#include "shardsim/app/commands.hpp"

#include <cstdio>

#include "shardsim/app/pipeline.hpp"
#include "shardsim/report/expectation_check.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int check_command(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim check FILE... [options]\n\n"
      "Runs each scenario and evaluates its [expect] table; exits 1 if any check fails.\n"
      "example: shardsim check scenarios/*.toml\n\noptions");
  options.add_options()("files", po::value<std::vector<std::string>>()->required(), "scenario files")(
      "set", po::value<std::vector<std::string>>(), "override a key in every scenario (repeatable)");
  po::positional_options_description positional;
  positional.add("files", -1);
  Parsed p = parse_options(args, options, positional);
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  int failed = 0;
  int passed = 0;
  for (const std::string& file : strings(p.vm, "files")) {
    const scenario::Scenario s = scenario::load(file, strings(p.vm, "set"));
    const report::Result result = run_scenario(s);
    out << file << "\n";
    if (s.expectations.empty()) out << "  (no [expect] table)\n";
    for (const report::CheckOutcome& o : report::check(s.expectations, result.figures)) {
      const MetricUnit unit = metric_catalog()[o.expectation->index].unit;
      char line[512];
      std::snprintf(line, sizeof line, "  %-4s %-34s expected %-28s actual %s\n", o.passed ? "ok" : "FAIL",
                    o.expectation->metric.c_str(), o.wanted.c_str(), report::format_figure(o.actual, unit).c_str());
      out << line;
      if (!o.passed) out << "       at " << to_string(o.expectation->pos) << "\n";
      (o.passed ? passed : failed)++;
    }
  }
  out << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? 1 : 0;
}

}  // namespace shardsim::app
