#include "shardsim/app/plot.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "shardsim/util/error.hpp"
#include "shardsim/util/metric.hpp"
#include "shardsim/util/suggest.hpp"
#include "shardsim/util/unit_parse.hpp"

extern char** environ;

namespace shardsim::app {
namespace {

namespace fs = std::filesystem;
constexpr auto kTimeLimit = std::chrono::seconds(60);
const SourcePos kPlot{"plot", 0, 0};

std::size_t column(const std::vector<std::string>& header, const std::string& name, const char* option) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it != header.end()) return static_cast<std::size_t>(it - header.begin());
  std::vector<std::string_view> names(header.begin(), header.end());
  const auto guess = closest_match(name, names);
  throw InputError(SourcePos{std::string("--") + option + " " + name, 0, 0},
                   "no column '" + name + "' in the table" + (guess ? " (did you mean '" + *guess + "'?)" : "") +
                       "; its columns are the swept keys and the metric names");
}

std::optional<double> plain_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// A numeric column: every row's value in base units, and the unit's symbol ("" for plain numbers).
struct NumericColumn {
  std::vector<double> values;
  std::string unit;
};

// The column as numbers: plain numbers, or quantities with units all of one kind ("1 Gbit/s" as bytes/s, "50 us"
// as seconds, "4 GiB" as bytes); nothing when any cell is neither (then x is a category).
std::optional<NumericColumn> numeric_column(const std::vector<std::vector<std::string>>& rows, std::size_t c) {
  std::vector<double> out;
  for (const auto& row : rows) {
    const auto v = plain_number(row[c]);
    if (!v) break;
    out.push_back(*v);
  }
  if (out.size() == rows.size()) return NumericColumn{out, ""};
  const std::vector<std::pair<std::string, std::function<double(std::string_view)>>> kinds{
      {"s", [](std::string_view t) { return parse_time(t).seconds(); }},
      {"B/s", [](std::string_view t) { return parse_byte_rate(t).per_second; }},
      {"B", [](std::string_view t) { return static_cast<double>(parse_bytes(t).count); }},
      {"FLOP/s", [](std::string_view t) { return parse_flop_rate(t).per_second; }},
  };
  for (const auto& [unit, parse] : kinds) {
    out.clear();
    try {
      for (const auto& row : rows) out.push_back(parse(row[c]));
      return NumericColumn{out, unit};
    } catch (const UnitError&) {
    }
  }
  return std::nullopt;
}

// An axis label: the column's name and its unit in parentheses, the unit read from its cells ("1 Gbit/s": B/s)
// or, for a metric, from the metric catalog; none for counts and plain ratios.
std::string axis_label(const std::string& name, const std::string& cell_unit) {
  const std::string unit = cell_unit.empty() ? std::string(metric_symbol(name)) : cell_unit;
  return name + (unit.empty() ? "" : " (" + unit + ")");
}

// A string in gnuplot's single quotes, where '' is a quote.
std::string gp_string(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c == '\n' || c == '\r' ? ' ' : c;
  }
  return out + "'";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

bool is_metric(const std::string& name) { return metric_index(name).has_value(); }

// Removes a folder and everything in it when it goes out of scope.
struct TempFolder {
  fs::path path;
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "shardsim-plot-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw InputError(kPlot, "cannot create a temporary folder in " + fs::temp_directory_path().string());
    }
    path = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

namespace {

// The image format by the output's extension, in any case: "svg" or "png"; InputError for anything else (before,
// `-o x.png` wrote SVG into a .png file).
std::string image_format(const std::string& output) {
  std::string ext = fs::path(output).extension().string();
  for (char& c : ext) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  if (ext == ".svg" || ext == ".png") return ext.substr(1);
  throw InputError(kPlot, "-o " + output + ": the image format is read from the extension, .svg or .png");
}

// Grouped bars: gnuplot's clustered histogram, one cluster per category (at x = 0, 1, ... in the order the
// categories first appear, labelled by name) and one bar per series in each. The data block has a row per
// category and a column per series; a series with no row for a category has NaN there, which draws no bar.
// `series` lists each series' rows, `xs` each row's category index.
std::string grouped_bars(const std::vector<std::string>& categories, const std::vector<std::string>& names,
                         const std::vector<std::vector<std::size_t>>& series, const std::vector<double>& xs,
                         const std::vector<double>& ys, bool has_series) {
  std::vector<std::vector<double>> bars(categories.size(), std::vector<double>(series.size(), NAN));
  for (std::size_t i = 0; i < series.size(); ++i) {
    // Rows with the same category and series are the same point (gnuplot_script refused any that differ): the
    // first one is drawn.
    for (auto r = series[i].rbegin(); r != series[i].rend(); ++r) bars[static_cast<std::size_t>(xs[*r])][i] = ys[*r];
  }
  std::string s = "set style data histograms\n";
  s += "set style histogram clustered gap 1\n";
  s += "set style fill solid 0.8 border -1\n";
  s += "set xtics (";
  for (std::size_t c = 0; c < categories.size(); ++c) {
    s += (c ? ", " : "") + gp_string(categories[c]) + " " + std::to_string(c);
  }
  s += ")\n";
  s += "$bars << EOD\n";
  for (std::size_t c = 0; c < categories.size(); ++c) {
    s += std::to_string(c);
    for (double v : bars[c]) {
      s += ' ';
      s += number(v);
    }
    s += "\n";
  }
  s += "EOD\n";
  s += "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    s += (i ? ", \\\n     " : "") + std::string("$bars using ") + std::to_string(i + 2) + " " +
         (has_series ? "title " + gp_string(names[i]) : std::string("notitle"));
  }
  return s + "\n";
}

}  // namespace

void check_plot_columns(const std::vector<std::string>& header, const PlotSpec& spec) {
  image_format(spec.output);
  column(header, spec.x, "x");
  column(header, spec.y, "y");
  if (!spec.series.empty()) column(header, spec.series, "series");
}

std::string require_gnuplot() {
  const char* env = std::getenv("PATH");
  const std::string path = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0;;) {
    const std::size_t colon = path.find(':', start);
    const fs::path dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const std::string candidate = (dir.empty() ? fs::path(".") : dir) / "gnuplot";
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  throw InputError(kPlot, "gnuplot is not installed (Debian: apt-get install gnuplot-nox)");
}

std::string gnuplot_script(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                           const PlotSpec& spec) {
  const std::size_t xc = column(header, spec.x, "x");
  const std::size_t yc = column(header, spec.y, "y");
  const bool has_series = !spec.series.empty();
  const std::size_t sc = has_series ? column(header, spec.series, "series") : header.size();
  if (rows.empty()) throw InputError(kPlot, "the table has no rows to plot");

  // x is numeric, or a category (topology, collective, strategy, any word): then each row's x is the index of its
  // category, in the order categories first appear, and the plot is grouped bars.
  const std::optional<NumericColumn> x_numeric = numeric_column(rows, xc);
  std::vector<std::string> categories;
  std::vector<double> xs;
  if (x_numeric) {
    xs = x_numeric->values;
  } else {
    for (const auto& row : rows) {
      const auto it = std::find(categories.begin(), categories.end(), row[xc]);
      xs.push_back(static_cast<double>(it - categories.begin()));
      if (it == categories.end()) categories.push_back(row[xc]);
    }
  }
  const std::optional<NumericColumn> y = numeric_column(rows, yc);
  if (!y) {
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (plain_number(rows[r][yc])) continue;
      throw InputError(SourcePos{"--y " + spec.y, 0, 0}, "column '" + spec.y + "' is not numeric: row " +
                                                             std::to_string(r + 1) + " has '" + rows[r][yc] + "'");
    }
    throw InputError(SourcePos{"--y " + spec.y, 0, 0},
                     "column '" + spec.y + "' mixes numbers and quantities with units, or quantities of different kinds");
  }
  const std::vector<double>& ys = y->values;

  // The series in the order they first appear; each a list of row indices sorted by x.
  std::vector<std::string> names;
  std::vector<std::vector<std::size_t>> series;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string name = has_series ? rows[r][sc] : "";
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      names.push_back(name);
      series.push_back({r});
    } else {
      series[static_cast<std::size_t>(it - names.begin())].push_back(r);
    }
  }
  for (std::vector<std::size_t>& rs : series) {
    std::stable_sort(rs.begin(), rs.end(), [&xs](std::size_t a, std::size_t b) { return xs[a] < xs[b]; });
    for (std::size_t i = 1; i < rs.size(); ++i) {
      if (xs[rs[i]] != xs[rs[i - 1]]) continue;
      std::string differ;
      for (std::size_t c = 0; c < header.size(); ++c) {
        if (c == xc || c == yc || c == sc || header[c] == "point" || is_metric(header[c])) continue;
        if (rows[rs[i]][c] != rows[rs[i - 1]][c]) differ += (differ.empty() ? "" : ", ") + header[c];
      }
      if (!differ.empty()) {
        throw InputError(kPlot, "rows " + std::to_string(rs[i - 1] + 1) + " and " + std::to_string(rs[i] + 1) +
                                    " have the same " + spec.x + (has_series ? " and " + spec.series : std::string()) +
                                    " but differ in " + differ + ": one " + (x_numeric ? "line" : "bar") +
                                    " would mix them; plot one " + (x_numeric ? "line" : "bar") + " per value of " +
                                    differ + " with --series, or sweep fewer axes");
      }
    }
  }

  std::string s;
  s += image_format(spec.output) == "png"
           ? "set terminal pngcairo size 800,500 noenhanced font 'sans,10' background rgb 'white'\n"
           : "set terminal svg size 800,500 dynamic noenhanced font 'sans,12' background rgb 'white'\n";
  s += "set output " + gp_string(spec.output) + "\n";
  s += "set title " + gp_string(spec.y + " vs " + spec.x) + "\n";
  s += "set xlabel " + gp_string(axis_label(spec.x, x_numeric ? x_numeric->unit : "")) + "\n";
  s += "set ylabel " + gp_string(axis_label(spec.y, y->unit)) + "\n";
  s += "set key outside right top" + (has_series ? " title " + gp_string(spec.series) : std::string()) + "\n";
  // y starts at 0 so that bars and lines compare by their lengths (a 5 % gap does not look like a factor of 2);
  // --y-auto lets gnuplot fit the range to the data. Figures below 0 (none in the metric table) keep autoscale.
  if (!spec.y_auto && std::all_of(ys.begin(), ys.end(), [](double v) { return v >= 0; })) {
    s += "set yrange [0:*]\n";
  }
  if (!x_numeric) {
    s += "set grid ytics\n";
    return s + grouped_bars(categories, names, series, xs, ys, has_series);
  }
  s += "set grid\n";
  const auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
  if (*lo > 0 && *hi / *lo > 20) {
    const bool powers_of_two = std::all_of(xs.begin(), xs.end(), [](double v) {
      const double l = std::log2(v);
      return v >= 1 && l == std::round(l);
    });
    s += powers_of_two ? "set logscale x 2\n" : "set logscale x 10\n";
  } else if (*hi - *lo <= 20 && std::all_of(xs.begin(), xs.end(), [](double v) { return v == std::round(v); })) {
    s += "set xtics 1\n";  // a few whole numbers (nodes, batch): no ticks in between
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    s += "$s" + std::to_string(i) + " << EOD\n";
    for (std::size_t r : series[i]) s += number(xs[r]) + " " + number(ys[r]) + "\n";
    s += "EOD\n";
  }
  s += "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    s += (i ? ", \\\n     " : "") + std::string("$s") + std::to_string(i) + " using 1:2 with linespoints lw 2 " +
         (has_series ? "title " + gp_string(names[i]) : std::string("notitle"));
  }
  s += "\n";
  return s;
}

void plot_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                const PlotSpec& spec) {
  const std::string gnuplot = require_gnuplot();
  const std::string script = gnuplot_script(header, rows, spec);
  {
    std::ofstream probe(spec.output, std::ios::binary);
    if (!probe) throw InputError(SourcePos{"--plot " + spec.output, 0, 0}, "cannot write this file");
  }
  TempFolder folder;
  const std::string script_path = (folder.path / "plot.gp").string();
  const std::string errors_path = (folder.path / "gnuplot.err").string();
  {
    std::ofstream f(script_path, std::ios::binary);
    f << script;
    if (!f) throw InputError(kPlot, "cannot write " + script_path);
  }

  // gnuplot reads the script file, with no terminal: stdin is /dev/null, stdout and stderr go to a file.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, errors_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  std::string arg0 = "gnuplot";
  std::string arg1 = script_path;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw InputError(kPlot, "cannot start " + gnuplot + ": " + std::strerror(spawned));

  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + kTimeLimit;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) throw InputError(kPlot, "lost the gnuplot process: " + std::string(std::strerror(errno)));
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      throw InputError(kPlot, "gnuplot did not finish within " + std::to_string(kTimeLimit.count()) +
                                  " s and was stopped; its output: " + read_file(errors_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string messages = read_file(errors_path);
  std::error_code ignored;
  while (!messages.empty() && (messages.back() == '\n' || messages.back() == ' ')) messages.pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    fs::remove(spec.output, ignored);
    throw InputError(kPlot, "gnuplot failed (" + how + ")" + (messages.empty() ? "" : ":\n" + messages));
  }
  // A PNG file opens with the 8-byte signature 89 50 4E 47 0D 0A 1A 0A (PNG specification, 5.2).
  const bool png = image_format(spec.output) == "png";
  if (png ? read_file(spec.output).rfind("\x89PNG\r\n\x1a\n", 0) != 0
          : read_file(spec.output).find("<svg") == std::string::npos) {
    throw InputError(kPlot, std::string("gnuplot wrote no ") + (png ? "PNG" : "SVG") + " to " + spec.output +
                                (messages.empty() ? "" : ":\n" + messages));
  }
}

}  // namespace shardsim::app
