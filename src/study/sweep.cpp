#include "shardsim/study/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "parallel_for.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/util/json_text.hpp"
#include "shardsim/util/metric.hpp"

namespace shardsim::study {
namespace {

constexpr std::size_t kMaxPoints = 10'000'000;

// ---- points ----------------------------------------------------------------------------------------------

// Where the user wrote value number `index` of `axis`: a [sweep] axis has its file position; a --sweep axis
// ("--sweep key=a,b,c") gets the column of the value inside its argument (of the range, for a range).
SourcePos value_position(const scenario::SweepAxis& axis, std::size_t index) {
  constexpr std::string_view prefix = "--sweep ";
  const std::string& label = axis.declared_at.file;
  if (axis.declared_at.line > 0 || label.rfind(prefix, 0) != 0) return axis.declared_at;
  const std::size_t eq = label.find('=');
  if (eq == std::string::npos) return axis.declared_at;
  std::size_t at = eq + 1;
  if (label.find("..", at) == std::string::npos) {
    for (std::size_t i = 0; i < index; ++i) {
      const std::size_t comma = label.find(',', at);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  return SourcePos{label, 1, static_cast<int>(at + 1)};
}

// Loads one point. An error about one of the point's axis values is moved to where that value was written.
scenario::Scenario load_point(const SweepSpec& spec, std::size_t point) {
  const std::vector<std::string> overrides = point_overrides(spec, point);
  try {
    return scenario::load(spec.scenario_path, overrides);
  } catch (const InputError& e) {
    std::string values;
    for (std::size_t a = 0; a < spec.axes.size(); ++a) {
      const std::string& assignment = overrides[spec.sets.size() + a];
      if (e.pos().file == "--set " + assignment) {
        // The index of the value within its axis: undo the mixed radix of point_values().
        std::size_t stride = 1;
        for (std::size_t b = a + 1; b < spec.axes.size(); ++b) stride *= spec.axes[b].values.size();
        const std::size_t index = point / stride % spec.axes[a].values.size();
        throw InputError(value_position(spec.axes[a], index),
                         "sweep value " + assignment + " (point " + std::to_string(point) + "): " + e.message());
      }
      values += (a > 0 ? ", " : "") + assignment;
    }
    if (spec.axes.empty()) throw;
    throw InputError(e.pos(), e.message() + " (in sweep point " + std::to_string(point) + ": " + values + ")");
  }
}

// ---- cells -----------------------------------------------------------------------------------------------

// A value of an axis as a cell: a TOML string ("1 Gbit/s", '_x') is a string whatever it holds; any other value
// (64, 0.5, true) takes the kind its text reads as.
table::Cell axis_cell(const std::string& value) {
  std::string text = cell_text(value);
  if (text != value) return {table::Cell::Kind::string, std::move(text)};
  return table::infer_cell(std::move(text));
}

// A figure as a cell: counts, bytes and flags as integers, every other unit in the 17 digits that give back the
// same double; NaN and infinities, which JSON cannot hold as numbers, as the strings "nan", "inf", "-inf".
table::Cell figure_cell(double value, MetricUnit unit) {
  if (!std::isfinite(value)) {
    return {table::Cell::Kind::string, std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf"};
  }
  if (unit == MetricUnit::count || unit == MetricUnit::bytes || unit == MetricUnit::flag) {
    return {table::Cell::Kind::number, std::to_string(std::llround(value))};
  }
  return {table::Cell::Kind::number, json_number(value)};
}

}  // namespace

// ---- the sweep -------------------------------------------------------------------------------------------

SweepSpec make_sweep(const std::string& scenario_path, const std::vector<std::string>& sets,
                     const std::vector<std::string>& sweep_args) {
  std::vector<scenario::SweepAxis> cli;
  for (const std::string& arg : sweep_args) {
    scenario::SweepAxis axis = scenario::parse_sweep_argument(arg);
    for (const scenario::SweepAxis& other : cli) {
      if (other.key == axis.key) throw InputError(axis.declared_at, "'" + axis.key + "' is swept twice");
    }
    cli.push_back(std::move(axis));
  }
  for (const std::string& set : sets) {
    const std::string key = set.substr(0, set.find('='));
    for (const scenario::SweepAxis& axis : cli) {
      if (axis.key == key) {
        throw InputError(SourcePos{"--set " + set, 0, 0},
                         "'" + key + "' is also swept (--sweep); to pin it, give --sweep " + key + "=VALUE alone");
      }
    }
  }
  std::vector<std::string> base = sets;
  for (const scenario::SweepAxis& axis : cli) base.push_back(axis.key + "=" + axis.values.front());
  SweepSpec spec{scenario_path, sets, {}};
  try {
    spec.axes = scenario::load(scenario_path, base).sweep;
  } catch (const InputError& e) {
    for (const scenario::SweepAxis& axis : cli) {  // the first value of a --sweep axis is wrong: say where it is
      const std::string assignment = axis.key + "=" + axis.values.front();
      if (e.pos().file == "--set " + assignment) {
        throw InputError(value_position(axis, 0), "sweep value " + assignment + ": " + e.message());
      }
    }
    throw;
  }
  // The [sweep] table in the order it is written (TOML++ iterates a table's keys sorted).
  std::stable_sort(spec.axes.begin(), spec.axes.end(), [](const scenario::SweepAxis& a, const scenario::SweepAxis& b) {
    return std::pair(a.declared_at.line, a.declared_at.column) < std::pair(b.declared_at.line, b.declared_at.column);
  });
  for (const std::string& set : sets) {
    const std::string key = set.substr(0, set.find('='));
    for (const scenario::SweepAxis& axis : spec.axes) {
      if (axis.key == key) {
        throw InputError(SourcePos{"--set " + set, 0, 0},
                         "'" + key + "' is swept by the scenario's [sweep] table (" + to_string(axis.declared_at) +
                             "); to pin it, give --sweep " + key + "=VALUE");
      }
    }
  }
  for (scenario::SweepAxis& axis : cli) {
    auto same = std::find_if(spec.axes.begin(), spec.axes.end(),
                             [&](const scenario::SweepAxis& a) { return a.key == axis.key; });
    if (same != spec.axes.end()) {
      *same = std::move(axis);
    } else {
      spec.axes.push_back(std::move(axis));
    }
  }
  point_count(spec.axes);  // refuses sweeps that are too large before anything runs
  return spec;
}

std::size_t point_count(const std::vector<scenario::SweepAxis>& axes) {
  std::size_t n = 1;
  for (const scenario::SweepAxis& axis : axes) {
    if (axis.values.empty()) throw InternalError("sweep axis without values");
    if (n > kMaxPoints / axis.values.size()) {
      throw InputError(axis.declared_at, "the sweep has more than " + std::to_string(kMaxPoints) + " points");
    }
    n *= axis.values.size();
  }
  return n;
}

std::vector<std::string> point_values(const std::vector<scenario::SweepAxis>& axes, std::size_t point) {
  std::vector<std::string> values(axes.size());
  for (std::size_t a = axes.size(); a-- > 0;) {
    values[a] = axes[a].values[point % axes[a].values.size()];
    point /= axes[a].values.size();
  }
  return values;
}

std::vector<std::string> point_overrides(const SweepSpec& spec, std::size_t point) {
  std::vector<std::string> out = spec.sets;
  const std::vector<std::string> values = point_values(spec.axes, point);
  for (std::size_t a = 0; a < values.size(); ++a) out.push_back(spec.axes[a].key + "=" + values[a]);
  return out;
}

std::string cell_text(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') return std::string(v.substr(1, v.size() - 2));
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] != '\\' || i + 2 >= v.size()) {
      out += v[i];
      continue;
    }
    switch (const char e = v[++i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      default: out += e;  // \" and \\ (and anything else, kept as the character)
    }
  }
  return out;
}

Shard parse_shard(const std::string& text) {
  const SourcePos where{"--shard " + text, 0, 0};
  const auto slash = text.find('/');
  Shard s;
  auto number = [&](std::string_view part, std::size_t& v) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (slash == std::string::npos || !number(std::string_view(text).substr(0, slash), s.k) ||
      !number(std::string_view(text).substr(slash + 1), s.n) || s.k < 1 || s.k > s.n) {
    throw InputError(where, "expected K/N with 1 <= K <= N, e.g. --shard 3/16 (in a Slurm job array "
                            "--array=1-16: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)");
  }
  return s;
}

std::vector<std::size_t> shard_points(std::size_t count, Shard shard) {
  std::vector<std::size_t> out;
  for (std::size_t i = shard.k - 1; i < count; i += shard.n) out.push_back(i);
  return out;
}

std::vector<std::string> sweep_header(const SweepSpec& spec) {
  std::vector<std::string> header{"point"};
  for (const scenario::SweepAxis& axis : spec.axes) header.push_back(axis.key);
  for (const MetricInfo& m : metric_catalog()) header.emplace_back(m.name);
  return header;
}

table::Table run_sweep(const SweepSpec& spec, const std::vector<std::size_t>& points, unsigned jobs,
                     const SweepProgress& progress) {
  parallel_for(points.size(), jobs, [&](std::size_t i) { load_point(spec, points[i]); });

  table::Table table{sweep_header(spec), std::vector<std::vector<table::Cell>>(points.size())};
  std::mutex mutex;
  std::size_t done = 0;
  parallel_for(points.size(), jobs, [&](std::size_t i) {
    const std::size_t point = points[i];
    const scenario::Scenario s = load_point(spec, point);
    const report::Result result = run_scenario(s);
    std::vector<table::Cell> row{{table::Cell::Kind::number, std::to_string(point)}};
    for (const std::string& v : point_values(spec.axes, point)) row.push_back(axis_cell(v));
    for (std::size_t m = 0; m < metric_catalog().size(); ++m) {
      row.push_back(figure_cell(result.figures.at(m), metric_catalog()[m].unit));
    }
    table.rows[i] = std::move(row);
    if (progress) {
      const std::lock_guard<std::mutex> lock(mutex);
      progress(++done, points.size());
    }
  });
  return table;
}

}  // namespace shardsim::study
