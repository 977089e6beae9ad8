#include "shardsim/app/commands.hpp"

#include <glob.h>

#include <cstdio>
#include <map>
#include <optional>

#include "shardsim/app/command_options.hpp"
#include "shardsim/report/baseline.hpp"
#include "shardsim/report/expectation_check.hpp"
#include "shardsim/report/junit.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/pipeline.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace {

// Arguments are files or glob patterns (for shells that do not expand them, and for CI configs that quote them).
// A pattern that matches nothing is an error; matches are sorted, as glob(3) returns them.
std::vector<std::string> expand_files(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (arg.find_first_of("*?[") == std::string::npos) {
      files.push_back(arg);
      continue;
    }
    glob_t g{};
    const int rc = ::glob(arg.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
    if (rc != 0) throw command_line_error("no file matches '" + arg + "'");
  }
  return files;
}

}  // namespace

int check_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim check FILE... [options]

Runs each scenario (files or glob patterns) and evaluates its [expect] table: one line per check with the
expected and actual value, then 'N passed, N failed, N skipped'. Every bound of a check is evaluated when it
can be; a bound that cannot (above_baseline without a baseline for the scenario) makes the check 'skip' (exit 0)
unless --strict, which fails it. Baselines are keyed by the scenario's `name`, else by its path relative to the
baseline file. Exits 1 if any check fails, 2 on bad input.
example: shardsim check scenarios/*.toml --junit check.xml
example: shardsim check 'scenarios/*.toml' --baseline baseline.toml --strict

options)");
  options.inputs("files", "scenario files or patterns").set("override a key in every scenario (repeatable)");
  options.add()("junit", po::value<std::string>(), "also write the results as JUnit XML to this file")(
      "baseline", po::value<std::string>(), "figures of an earlier run, for above_baseline / below_baseline")(
      "update-baseline", po::value<std::string>(), "write every scenario's figures to this file (after checking)")(
      "strict", "a check with a bound that cannot be evaluated (no baseline figure) fails instead of skipping");
  if (!options.parse(args, out)) return 0;

  std::optional<report::Baseline> baseline;
  if (options.has("baseline")) baseline = report::read_baseline(options.text("baseline"));
  const bool strict = options.has("strict");
  // Which file wrote each key of the new baseline: two scenarios must not share one (a `name` given twice).
  std::map<std::string, std::string> updated_from;

  int failed = 0, passed = 0, skipped = 0, broken = 0;
  std::vector<report::ScenarioChecks> results;
  report::Baseline updated;
  for (const std::string& file : expand_files(options.texts("files"))) {
    // A scenario with bad input is reported and the others still run; the exit code is then 2.
    std::optional<scenario::Scenario> loaded;
    try {
      loaded.emplace(scenario::load(file, options.sets()));
    } catch (const InputError& e) {
      out << file << "\n  ERROR " << e.what() << "\n";
      results.push_back(report::ScenarioChecks{file, {}, e.what()});
      ++broken;
      continue;
    }
    const scenario::Scenario& s = *loaded;
    const report::Result result = study::run_scenario(s);
    if (options.has("update-baseline")) {
      const std::string key = report::baseline_key(file, s.name, options.text("update-baseline"));
      auto [at, fresh] = updated_from.emplace(key, file);
      if (!fresh) {
        throw InputError(SourcePos{file, 0, 0}, "baseline key '" + key + "' is also the key of " + at->second +
                                                    ": give the scenarios different names");
      }
      updated[key] = result.figures;
    }
    report::BaselineFigures base{nullptr, "no --baseline given"};
    if (baseline) {
      const std::string key = report::baseline_key(file, s.name, options.text("baseline"));
      auto it = baseline->find(key);
      if (it != baseline->end()) {
        base.figures = &it->second;
      } else {
        base.why_none = "no entry '" + key + "' in " + options.text("baseline") +
                        (s.name.empty() ? " (the scenario's path relative to the baseline's folder)"
                                        : " (the scenario's name)");
      }
    }
    report::ScenarioChecks checks{file, report::check(s.expectations, result.figures, base, strict), ""};
    out << file << "\n";
    if (s.expectations.empty()) out << "  (no [expect] table)\n";
    for (const report::CheckOutcome& o : checks.outcomes) {
      const MetricUnit unit = metric_catalog()[o.expectation.index].unit;
      const char* status = o.skipped ? "skip" : o.passed ? "ok" : "FAIL";
      char line[640];
      std::snprintf(line, sizeof line, "  %-4s %-34s expected %-28s actual %s\n", status, o.expectation.metric.c_str(),
                    o.wanted.c_str(), report::format_figure(o.actual, unit).c_str());
      out << line;
      if (!o.passed && !o.skipped) out << "       at " << to_string(o.expectation.pos) << "\n";
      if (!o.unevaluated.empty()) out << "       not evaluated: " << o.unevaluated << "\n";
      (o.skipped ? skipped : o.passed ? passed : failed)++;
    }
    results.push_back(std::move(checks));
  }
  if (options.has("junit")) {
    std::ofstream junit = open_for_writing(options.text("junit"), "JUnit XML");
    report::write_junit(junit, results);
  }
  if (options.has("update-baseline")) report::write_baseline(options.text("update-baseline"), updated);
  out << passed << " passed, " << failed << " failed" << (skipped ? ", " + std::to_string(skipped) + " skipped" : "")
      << "\n";
  if (broken > 0) {
    out << broken << (broken == 1 ? " scenario" : " scenarios") << " could not be run (bad input)\n";
    return 2;
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace shardsim::app
