#include "shardsim/report/baseline.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <toml++/toml.h>

#include "shardsim/util/error.hpp"
#include "shardsim/util/metric.hpp"

namespace shardsim::report {
namespace {
SourcePos where(const toml::source_region& r, const std::string& path) {
  return SourcePos{path, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}
}  // namespace

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
  toml::table doc;
  for (const auto& [scenario, figures] : baseline) {
    toml::table t;
    for (std::size_t i = 0; i < figures.size() && i < metric_catalog().size(); ++i) {
      if (!std::isnan(figures[i])) t.insert(metric_catalog()[i].name, figures[i]);
    }
    doc.insert(scenario, std::move(t));
  }
  std::ofstream out(path);
  if (!out) throw InputError(SourcePos{"--update-baseline", 0, 0}, "cannot write baseline '" + path + "'");
  out << "# shardsim baseline: figures per scenario, written by `shardsim check --update-baseline`.\n"
      << toml::toml_formatter{doc} << "\n";
}

}  // namespace shardsim::report
