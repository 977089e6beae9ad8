#include "shardsim/study/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "shardsim/study/pipeline.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/util/metric.hpp"

namespace shardsim::study {
namespace {

constexpr std::size_t kMaxPoints = 10'000'000;
const SourcePos kCommandLine{"command line", 0, 0};

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

// Runs body(i) for i in [0, n) on up to `jobs` threads, taking indices in increasing order. After a failure no new
// index is started; the error of the lowest failing index is rethrown, which is the one a single thread would
// have met first (every lower index had been started, and finishes).
void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& body) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  auto worker = [&] {
    while (!stop.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        body(i);
      } catch (...) {
        errors[i] = std::current_exception();
        stop.store(true);
      }
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(jobs, 1u), n);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

// ---- cells -----------------------------------------------------------------------------------------------

bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

Cell axis_cell(const std::string& value) {
  const std::string text = cell_text(value);
  if (text != value) return {Cell::Kind::string, text};  // it was a quoted string
  if (text == "true" || text == "false") return {Cell::Kind::boolean, text};
  if (is_json_number(text)) return {Cell::Kind::number, text};
  return {Cell::Kind::string, text};
}

Cell figure_cell(double value, MetricUnit unit) {
  if (!std::isfinite(value)) return {Cell::Kind::string, std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf"};
  char buf[40];
  if (unit == MetricUnit::count || unit == MetricUnit::bytes || unit == MetricUnit::flag) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(value)));
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", value);
  }
  return {Cell::Kind::number, buf};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// ---- reading tables --------------------------------------------------------------------------------------

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// One line of JSON lines: a flat object of strings, numbers, booleans and nulls.
class JsonLine {
 public:
  JsonLine(std::string_view text, const std::string& file, int line) : s_(text), file_(file), line_(line) {}

  void parse(std::vector<std::string>& keys, std::vector<std::string>& values) {
    space();
    expect('{');
    space();
    if (peek() == '}') {
      ++i_;
    } else {
      for (;;) {
        space();
        if (peek() != '"') fail("expected a key in double quotes");
        keys.push_back(string());
        space();
        expect(':');
        space();
        values.push_back(value());
        space();
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect('}');
        break;
      }
    }
    space();
    if (i_ != s_.size()) fail("unexpected text after the object");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(SourcePos{file_, line_, static_cast<int>(i_ + 1)}, what);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  unsigned hex4() {
    if (i_ + 4 > s_.size()) fail("bad \\u escape");
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, v, 16);
    if (ec != std::errc() || end != s_.data() + i_ + 4) fail("bad \\u escape");
    i_ += 4;
    return v;
  }
  std::string string() {
    ++i_;  // the opening quote
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated string");
      switch (const char e = s_[i_++]) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            const unsigned low = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(std::string("bad escape \\") + e);
      }
    }
  }
  std::string value() {
    const char c = peek();
    if (c == '"') return string();
    if (c == '{' || c == '[') fail("nested objects and arrays are not table cells");
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ' ' && s_[i_] != '\t') ++i_;
    const std::string_view word = s_.substr(start, i_ - start);
    if (word == "true" || word == "false" || word == "null" || is_json_number(word)) return std::string(word);
    i_ = start;
    fail("expected a string, a number, true, false or null");
  }

  std::string_view s_;
  const std::string& file_;
  int line_;
  std::size_t i_ = 0;
};

void parse_jsonl(std::string_view text, const std::string& file, TableFile& t) {
  int line = 0;
  for (std::size_t start = 0; start < text.size();) {
    ++line;
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::vector<std::string> keys;
    TableFile::Record r;
    r.raw = std::string(raw);
    r.line = line;
    JsonLine(raw, file, line).parse(keys, r.cells);
    if (t.records.empty()) {
      t.header = keys;
    } else if (keys != t.header) {
      throw InputError(SourcePos{file, line, 1},
                       "its keys differ from those of line " + std::to_string(t.records.front().line));
    }
    t.records.push_back(std::move(r));
  }
}

void parse_csv(std::string_view text, const std::string& file, TableFile& t) {
  int line = 1;
  std::size_t i = 0;
  bool have_header = false;
  while (i < text.size()) {
    const std::size_t start = i;
    const int first_line = line;
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          fields.back() += c;
        }
      } else if (c == '"' && fields.back().empty()) {
        quoted = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else if (c == '\n') {
        break;
      } else if (c != '\r' || (i + 1 < text.size() && text[i + 1] != '\n')) {
        fields.back() += c;
      }
    }
    if (quoted) throw InputError(SourcePos{file, first_line, 1}, "a quoted field is not closed");
    std::string_view raw = text.substr(start, i - start);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (i < text.size()) {
      ++i;  // the '\n'
      ++line;
    }
    if (raw.empty()) continue;  // blank line
    if (!have_header) {
      t.header = std::move(fields);
      t.header_raw = std::string(raw);
      have_header = true;
      continue;
    }
    if (fields.size() != t.header.size()) {
      throw InputError(SourcePos{file, first_line, 1}, "has " + std::to_string(fields.size()) +
                                                           " fields, the header " + std::to_string(t.header.size()));
    }
    t.records.push_back({std::move(fields), std::string(raw), first_line});
  }
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

SweepTable run_sweep(const SweepSpec& spec, const std::vector<std::size_t>& points, unsigned jobs,
                     const SweepProgress& progress) {
  parallel_for(points.size(), jobs, [&](std::size_t i) { load_point(spec, points[i]); });

  SweepTable table{sweep_header(spec), std::vector<std::vector<Cell>>(points.size())};
  std::mutex mutex;
  std::size_t done = 0;
  parallel_for(points.size(), jobs, [&](std::size_t i) {
    const std::size_t point = points[i];
    const scenario::Scenario s = load_point(spec, point);
    const report::Result result = run_scenario(s);
    std::vector<Cell> row{{Cell::Kind::number, std::to_string(point)}};
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

// ---- writing and reading tables --------------------------------------------------------------------------

TableFormat parse_table_format(const std::string& text) {
  if (text == "csv") return TableFormat::csv;
  if (text == "jsonl") return TableFormat::jsonl;
  throw InputError(kCommandLine, "--format: expected csv or jsonl, got '" + text + "'");
}

void write_table(std::ostream& out, const SweepTable& table, TableFormat format) {
  std::string text;
  auto separator = [&](std::size_t c) {
    if (c > 0) text += ',';
  };
  if (format == TableFormat::csv) {
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      separator(c);
      text += csv_field(table.header[c]);
    }
    text += '\n';
    for (const std::vector<Cell>& row : table.rows) {
      for (std::size_t c = 0; c < row.size(); ++c) {
        separator(c);
        text += csv_field(row[c].text);
      }
      text += '\n';
    }
  } else {
    for (const std::vector<Cell>& row : table.rows) {
      text += '{';
      for (std::size_t c = 0; c < row.size(); ++c) {
        separator(c);
        text += json_string(table.header[c]);
        text += ':';
        text += row[c].kind == Cell::Kind::string ? json_string(row[c].text) : row[c].text;
      }
      text += "}\n";
    }
  }
  out << text;
}

TableFile parse_table(std::string_view text, const std::string& file) {
  TableFile t;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return t;
  t.format = text[first] == '{' ? TableFormat::jsonl : TableFormat::csv;
  if (*t.format == TableFormat::jsonl) {
    parse_jsonl(text, file, t);
  } else {
    parse_csv(text, file, t);
  }
  return t;
}

TableFile read_table_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "cannot read this file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_table(text.str(), path);
}

void merge_tables(std::ostream& out, const std::vector<std::string>& paths, bool allow_partial) {
  struct Row {
    std::size_t point;
    const std::string* raw;
    SourcePos pos;
  };
  std::vector<TableFile> files;
  files.reserve(paths.size());
  const TableFile* first = nullptr;
  std::string first_path;
  std::vector<Row> rows;
  for (const std::string& path : paths) {
    files.push_back(read_table_file(path));
    const TableFile& t = files.back();
    if (!t.format) continue;  // an empty slice: JSON lines of a shard without points
    if (first == nullptr) {
      first = &t;
      first_path = path;
      if (t.header.empty() || t.header.front() != "point") {
        throw InputError(SourcePos{path, 1, 1}, "the first column must be 'point' (a table of shardsim sweep)");
      }
    } else if (*t.format != *first->format) {
      throw InputError(SourcePos{path, 0, 0}, "is " + std::string(*t.format == TableFormat::csv ? "CSV" : "JSON lines") +
                                                  " but " + first_path + " is not");
    } else if (t.header != first->header && !t.header.empty()) {
      std::size_t c = 0;
      while (c < t.header.size() && c < first->header.size() && t.header[c] == first->header[c]) ++c;
      const auto name = [](const std::vector<std::string>& h, std::size_t i) {
        return i < h.size() ? "'" + h[i] + "'" : std::string("nothing");
      };
      throw InputError(SourcePos{path, t.records.empty() ? 1 : t.records.front().line, 1},
                       "the columns differ from " + first_path + "'s: column " + std::to_string(c + 1) + " is " +
                           name(t.header, c) + " here and " + name(first->header, c) + " there");
    }
    for (const TableFile::Record& r : t.records) {
      const std::string& cell = r.cells.front();
      std::size_t point = 0;
      const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), point);
      if (ec != std::errc() || end != cell.data() + cell.size() || cell.empty()) {
        throw InputError(SourcePos{path, r.line, 1}, "point '" + cell + "' is not a point number");
      }
      rows.push_back({point, &r.raw, SourcePos{path, r.line, 1}});
    }
  }
  if (first == nullptr) return;  // only empty slices
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.point < b.point; });
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0 && rows[i].point == rows[i - 1].point) {
      throw InputError(rows[i].pos, "point " + std::to_string(rows[i].point) + " is also at " +
                                        to_string(rows[i - 1].pos) + " (a slice given twice?)");
    }
    const std::size_t expected = i == 0 ? 0 : rows[i - 1].point + 1;
    if (!allow_partial && rows[i].point != expected) {
      const std::string missing = rows[i].point == expected + 1
                                      ? "point " + std::to_string(expected) + " is"
                                      : "points " + std::to_string(expected) + " to " +
                                            std::to_string(rows[i].point - 1) + " are";
      throw InputError(rows[i].pos, missing + " missing before this row (a slice not given, or not finished?); "
                                              "--allow-partial merges what is there");
    }
  }
  std::string text;
  if (*first->format == TableFormat::csv) text += first->header_raw + "\n";
  for (const Row& r : rows) text += *r.raw + "\n";
  out << text;
}

}  // namespace shardsim::study
