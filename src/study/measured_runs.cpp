#include <filesystem>

#include "shardsim/study/measured_fit.hpp"
#include "shardsim/table/table_file.hpp"
#include "shardsim/util/metric.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::study {
namespace {

// `base` relative to the folder of `from_file`, as a scenario names its topology.
std::string relative_to(const std::string& from_file, const std::string& base) {
  const std::filesystem::path p(base);
  if (p.is_absolute()) return base;
  return (std::filesystem::path(from_file).parent_path() / p).lexically_normal().string();
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

}  // namespace

std::vector<MeasuredRun> read_measured_runs(const std::string& path) {
  const table::TableFile t = table::read_table_file(path);
  const SourcePos top{path, 1, 1};
  if (t.format != table::TableFormat::csv) {
    throw InputError(top, "expected a CSV file with the header scenario,set,measured (and optionally ,metric)");
  }
  const std::vector<std::string> expected{"scenario", "set", "measured"};
  if (t.header.size() < 3 || t.header.size() > 4 || !std::equal(expected.begin(), expected.end(), t.header.begin()) ||
      (t.header.size() == 4 && t.header[3] != "metric")) {
    throw InputError(top, "expected the header scenario,set,measured (and optionally ,metric), got '" +
                              t.header_raw + "'");
  }
  std::vector<MeasuredRun> runs;
  for (const table::TableFile::Record& record : t.records) {
    MeasuredRun run;
    run.pos = SourcePos{path, record.line, 1};
    if (trimmed(record.cells[0]).empty()) throw InputError(run.pos, "scenario: empty");
    run.scenario = relative_to(path, trimmed(record.cells[0]));
    run.set_text = record.cells[1];
    for (std::size_t start = 0; start <= run.set_text.size();) {
      const std::size_t end = std::min(run.set_text.find(';', start), run.set_text.size());
      const std::string set = trimmed(std::string_view(run.set_text).substr(start, end - start));
      if (!set.empty()) run.sets.push_back(set);
      start = end + 1;
    }
    try {
      run.measured = parse_time(trimmed(record.cells[2])).seconds();
    } catch (const UnitError& e) {
      throw InputError(run.pos, std::string("measured: ") + e.what() + " (a time with its unit, e.g. \"1312.5 ms\")");
    }
    if (!(run.measured > 0)) throw InputError(run.pos, "measured: must be positive");
    if (t.header.size() == 4 && !trimmed(record.cells[3]).empty()) {
      run.metric = trimmed(record.cells[3]);
      const auto index = metric_index(run.metric);
      if (!index || metric_catalog()[*index].unit != MetricUnit::seconds) {
        throw InputError(run.pos, "metric: '" + run.metric + "' is not a time figure of the metric catalog " +
                                      "(token_latency, time_to_first_token, generation_time, step_time, ...)");
      }
    }
    runs.push_back(std::move(run));
  }
  if (runs.empty()) throw InputError(top, "no measured runs (one row per run after the header)");
  return runs;
}

}  // namespace shardsim::study
