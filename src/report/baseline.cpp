#include "shardsim/report/baseline.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <toml++/toml.h>

#include "shardsim/util/error.hpp"
#include "shardsim/util/json_text.hpp"
#include "shardsim/util/metric.hpp"

namespace shardsim::report {
namespace {
SourcePos where(const toml::source_region& r, const std::string& path) {
  return SourcePos{path, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}
}  // namespace

std::string baseline_key(const std::string& scenario_path, const std::string& scenario_name,
                         const std::string& baseline_path) {
  if (!scenario_name.empty()) return scenario_name;
  namespace fs = std::filesystem;
  // weakly_canonical: the baseline may not exist yet (--update-baseline), and symlinked folders resolve alike.
  const fs::path scenario = fs::weakly_canonical(fs::absolute(scenario_path));
  const fs::path folder = fs::weakly_canonical(fs::absolute(baseline_path)).parent_path();
  const fs::path relative = scenario.lexically_relative(folder);
  return (relative.empty() ? scenario : relative).generic_string();
}

Baseline read_baseline(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(SourcePos{"--baseline", 0, 0}, "cannot open baseline '" + path + "'");
  toml::table doc;
  try {
    doc = toml::parse(in, path);
  } catch (const toml::parse_error& e) {
    throw InputError(where(e.source(), path), std::string(e.description()));
  }
  Baseline out;
  for (const auto& [scenario, value] : doc) {
    const toml::table* figures = value.as_table();
    if (!figures) throw InputError(where(value.source(), path), "expected a table of figures per scenario");
    std::vector<double> row(metric_catalog().size(), std::numeric_limits<double>::quiet_NaN());
    for (const auto& [metric, v] : *figures) {
      const auto index = metric_index(metric.str());
      // Metrics this version does not know (a baseline from a newer release) are skipped, not errors.
      if (!index) continue;
      if (!v.is_number()) throw InputError(where(v.source(), path), std::string(metric.str()) + ": expected a number");
      row[*index] = *v.value<double>();
    }
    out.emplace(std::string(scenario.str()), std::move(row));
  }
  return out;
}

void write_baseline(const std::string& path, const Baseline& baseline) {
  // Written by hand rather than by TOML++'s formatter: keys in double quotes (as users type them) and numbers in
  // the shortest form that reads back as the same double (json_number; TOML reads JSON's number syntax).
  std::ofstream out(path);
  if (!out) throw InputError(SourcePos{"--update-baseline", 0, 0}, "cannot write baseline '" + path + "'");
  out << "# shardsim baseline: figures per scenario, written by `shardsim check --update-baseline`.\n";
  for (const auto& [scenario, figures] : baseline) {
    out << "\n[" << json_string(scenario) << "]\n";
    for (std::size_t i = 0; i < figures.size() && i < metric_catalog().size(); ++i) {
      if (!std::isnan(figures[i])) out << metric_catalog()[i].name << " = " << json_number(figures[i]) << "\n";
    }
  }
}

}  // namespace shardsim::report
