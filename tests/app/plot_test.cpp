#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "printing.hpp"
#include "shardsim/app/cli.hpp"
#include "shardsim/app/plot.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

using shardsim::testing::Outcome;
using shardsim::testing::cli;
using shardsim::testing::slurp;
using shardsim::testing::count;




// The plot tests need gnuplot: CI installs it, so its absence is a failure, never a silent skip.
void require_gnuplot_installed() {
  try {
    app::require_gnuplot();
  } catch (const InputError&) {
    FAIL("gnuplot is not installed: apt-get install -y --no-install-recommends gnuplot-nox");
  }
}

// Sets PATH for the lifetime of the object (the test program is single-threaded), then restores it.
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& path) {
    if (const char* old = std::getenv("PATH")) old_ = old;
    setenv("PATH", path.c_str(), 1);
  }
  ~ScopedPath() {
    if (old_) {
      setenv("PATH", old_->c_str(), 1);
    } else {
      unsetenv("PATH");
    }
  }
  ScopedPath(const ScopedPath&) = delete;
  ScopedPath& operator=(const ScopedPath&) = delete;

 private:
  std::optional<std::string> old_;
};

// Checks that `svg` is a whole SVG document with one plotted line per series. gnuplot draws the frame, tics and
// grid in black and gray, and each plot (its line and its key sample) as one <path> in its own colour.
void check_svg(const std::string& svg, std::size_t series) {
  REQUIRE_THAT(svg, Catch::Contains("<svg"));
  CHECK_THAT(svg, Catch::Contains("</svg>"));
  CHECK(count(svg, "<g id=\"gnuplot_plot_") == series);
  std::set<std::string> colours;
  const std::string line = "<path stroke='rgb(";
  for (std::size_t at = svg.find(line); at != std::string::npos; at = svg.find(line, at + 1)) {
    colours.insert(svg.substr(at, svg.find(')', at) - at));
  }
  CHECK(count(svg, line) == series);
  CHECK(colours.size() == series);
}

constexpr const char* kSeedLayer =
    "topology = \"" SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml\"\n"
    "[model]\n"
    "preset = \"seed-mlp\"\n"
    "[plan]\n"
    "nodes = 4\n"
    "[run]\n"
    "batch = 6\n";

const std::vector<std::string> kHeader{"point", "plan.nodes", "run.batch", "tokens_per_second"};

}  // namespace

TEST_CASE("plot: gnuplot is installed (apt-get install gnuplot-nox)") { require_gnuplot_installed(); }

TEST_CASE("plot: one line per series in a well-formed SVG, from CSV and from JSON lines") {
  require_gnuplot_installed();
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", kSeedLayer);
  for (const char* format : {"csv", "jsonl"}) {
    INFO(format);
    const std::string table = dir.path(std::string("t.") + format);
    REQUIRE(cli({"sweep", s, "--sweep", "plan.nodes=1,2,4", "--sweep", "run.batch=1..64*2", "--format", format, "-o",
                 table})
                .code == 0);
    const std::string svg = dir.path(std::string("t-") + format + ".svg");
    const Outcome o =
        cli({"plot", table, "--x", "run.batch", "--y", "tokens_per_second", "--series", "plan.nodes", "-o", svg});
    INFO(o.err);
    REQUIRE(o.code == 0);
    const std::string text = slurp(svg);
    check_svg(text, 3);
    CHECK_THAT(text, Catch::Contains("tokens_per_second vs run.batch"));  // title and axis labels from the names
    CHECK_THAT(text, Catch::Contains(">plan.nodes<"));                      // the key's title
  }
  // Without --series, one line.
  const std::string svg = dir.path("one.svg");
  const std::string one = dir.write("one.csv", "point,run.batch,token_latency\n0,1,0.5\n1,2,0.25\n2,4,0.2\n");
  REQUIRE(cli({"plot", one, "--x", "run.batch", "--y", "token_latency", "-o", svg}).code == 0);
  check_svg(slurp(svg), 1);
}

TEST_CASE("plot: PNG or SVG by the extension, anything else refused") {
  require_gnuplot_installed();
  testing::TempDir dir;
  const std::string one = dir.write("one.csv", "point,run.batch,token_latency\n0,1,0.5\n1,2,0.25\n2,4,0.2\n");
  // Before: `-o x.png` wrote SVG text into the .png file.
  const std::string png = dir.path("x.PNG");
  const Outcome o = cli({"plot", one, "--x", "run.batch", "--y", "token_latency", "-o", png});
  INFO(o.err);
  REQUIRE(o.code == 0);
  CHECK(slurp(png).rfind("\x89PNG\r\n\x1a\n", 0) == 0);  // the PNG signature (PNG specification, 5.2)
  const Outcome pdf = cli({"plot", one, "--x", "run.batch", "--y", "token_latency", "-o", dir.path("x.pdf")});
  CHECK(pdf.code == 2);
  CHECK_THAT(pdf.err, Catch::Contains("the image format is read from the extension, .svg or .png"));
  CHECK_FALSE(std::filesystem::exists(dir.path("x.pdf")));
}

TEST_CASE("plot: sweep --plot draws the table it writes") {
  require_gnuplot_installed();
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", kSeedLayer);
  const std::string svg = dir.path("sweep.svg");
  const Outcome o = cli({"sweep", s, "--sweep", "topology.star.0.bandwidth=1 Gbit/s,10 Gbit/s", "--sweep",
                         "plan.nodes=1..4", "--plot", svg, "--x", "plan.nodes", "--y", "token_latency", "--series",
                         "topology.star.0.bandwidth"});
  INFO(o.err);
  REQUIRE(o.code == 0);
  CHECK(o.out.rfind("point,topology.star.0.bandwidth,plan.nodes,", 0) == 0);
  check_svg(slurp(svg), 2);
  // A misspelt column is refused before the sweep runs.
  const Outcome bad = cli({"sweep", s, "--sweep", "plan.nodes=1..4", "--plot", svg, "--x", "plan.node", "--y",
                           "token_latency"});
  CHECK(bad.code == 2);
  CHECK(bad.out.empty());
  CHECK_THAT(bad.err, Catch::Contains("no column 'plan.node' in the table (did you mean 'plan.nodes'?)"));
  CHECK(cli({"sweep", s, "--plot", svg, "--x", "plan.nodes"}).code == 2);  // --plot needs --y
}

TEST_CASE("plot: without gnuplot on PATH, exit 2 with the package to install") {
  testing::TempDir dir;
  const std::string table = dir.write("t.csv", "point,plan.nodes,token_latency\n0,1,0.5\n1,2,0.25\n");
  const std::string empty = dir.path("empty");
  std::filesystem::create_directories(empty);
  Outcome o;
  {
    ScopedPath path(empty);
    o = cli({"plot", table, "--x", "plan.nodes", "--y", "token_latency", "-o", dir.path("t.svg")});
  }
  CHECK(o.code == 2);
  CHECK(o.err == "plot: gnuplot is not installed (Debian: apt-get install gnuplot-nox)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path("t.svg")));
}

TEST_CASE("plot: when gnuplot fails, its error output is reported (exit 2)") {
  testing::TempDir dir;
  const std::string table = dir.write("t.csv", "point,plan.nodes,token_latency\n0,1,0.5\n1,2,0.25\n");
  // A stand-in gnuplot that fails the way a real one does: a message on stderr and a non-zero exit code.
  const std::string fake = dir.write("bin/gnuplot", "#!/bin/sh\necho 'line 3: unknown terminal' >&2\nexit 1\n");
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  Outcome o;
  {
    ScopedPath path(dir.path("bin"));
    o = cli({"plot", table, "--x", "plan.nodes", "--y", "token_latency", "-o", dir.path("t.svg")});
  }
  CHECK(o.code == 2);
  CHECK(o.err == "plot: gnuplot failed (exit code 1):\nline 3: unknown terminal\n");
}

TEST_CASE("plot: x on a log scale when it spans more than a factor of 20") {
  const app::PlotSpec spec{"plan.nodes", "tokens_per_second", "", "out.svg"};
  auto script = [&](const std::vector<std::string>& xs) {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < xs.size(); ++i) rows.push_back({std::to_string(i), xs[i], "1", "2.5"});
    return app::gnuplot_script(kHeader, rows, spec);
  };
  // 8..1024*2: 8 to 2048 is a factor of 256, and powers of two get base-2 ticks.
  CHECK_THAT(script({"8", "16", "32", "64", "128", "256", "512", "1024", "2048"}),
             Catch::Contains("set logscale x 2\n"));
  CHECK_THAT(script({"3", "30", "300"}), Catch::Contains("set logscale x 10\n"));
  CHECK_THAT(script({"1", "2", "3", "4"}), !Catch::Contains("logscale"));      // a factor of 4
  CHECK_THAT(script({"1", "2", "3", "4"}), Catch::Contains("set xtics 1\n"));   // whole numbers: a tick each
  CHECK_THAT(script({"0", "10", "1000"}), !Catch::Contains("logscale"));       // not all positive
  CHECK_THAT(script({"1", "8", "16"}), Catch::Contains("set xlabel 'plan.nodes'"));
  CHECK_THAT(script({"1", "8", "16"}), Catch::Contains("set ylabel 'tokens_per_second (tokens/s)'"));
}

TEST_CASE("plot: quantities with units are numbers in base units, bad columns are errors") {
  const std::vector<std::string> header{"point", "topology.star.0.bandwidth", "plan.nodes", "token_latency"};
  const std::vector<std::vector<std::string>> rows{{"0", "1 Gbit/s", "4", "0.002"}, {"1", "10 Gbit/s", "4", "0.001"}};
  const std::string s = app::gnuplot_script(header, rows, {"topology.star.0.bandwidth", "token_latency", "", "o.svg"});
  CHECK_THAT(s, Catch::Contains("set xlabel 'topology.star.0.bandwidth (B/s)'"));
  CHECK_THAT(s, Catch::Contains("set ylabel 'token_latency (s)'"));
  CHECK_THAT(s, Catch::Contains("125000000 0.002\n1250000000 0.001\n"));
  CHECK_THAT(s, !Catch::Contains("logscale"));  // a factor of 10

  // Series in the order they first appear, each sorted by x; titles quoted for gnuplot.
  const std::vector<std::vector<std::string>> series_rows{
      {"0", "it's", "8", "3"}, {"1", "b", "8", "4"}, {"2", "it's", "2", "1"}};
  const std::string ss = app::gnuplot_script(header, series_rows, {"plan.nodes", "token_latency",
                                                                    "topology.star.0.bandwidth", "o.svg"});
  CHECK_THAT(ss, Catch::Contains("$s0 << EOD\n2 1\n8 3\nEOD\n$s1 << EOD\n8 4\nEOD\n"));
  CHECK_THAT(ss, Catch::Contains("title 'it''s'"));

  using testing::input_error;
  CHECK_THAT(input_error([&] { app::gnuplot_script(header, rows, {"plan.nodes", "token_latncy", "", "o.svg"}); })
                 .message(),
             Catch::Contains("did you mean 'token_latency'?"));
  const std::vector<std::vector<std::string>> words{{"0", "fast", "4", "1"}, {"1", "slow", "4", "2"}};
  CHECK_THAT(input_error([&] {
               app::gnuplot_script(header, words, {"plan.nodes", "topology.star.0.bandwidth", "", "o.svg"});
             }).message(),
             Catch::Contains("column 'topology.star.0.bandwidth' is not numeric: row 1 has 'fast'"));
  // Two rows at the same x that differ in another swept key would make one zig-zag line: refused.
  CHECK_THAT(input_error([&] { app::gnuplot_script(header, rows, {"plan.nodes", "token_latency", "", "o.svg"}); })
                 .message(),
             Catch::Contains("differ in topology.star.0.bandwidth"));
  CHECK_THAT(input_error([&] { app::gnuplot_script(header, {}, {"plan.nodes", "token_latency", "", "o.svg"}); })
                 .message(),
             Catch::Contains("no rows"));
}

TEST_CASE("plot: a categorical x (collective, topology, any word) is drawn as grouped bars") {
  // Before, any x that was not a number was refused ("is not numeric"): collectives or topologies could not be
  // compared in one chart. Now each category is a group at x = 0, 1, ... (in the order the table first has it),
  // labelled by its name, with one bar per series; a series missing from a category has NaN there (no bar).
  const std::vector<std::string> header{"point", "plan.collective", "plan.nodes", "token_latency"};
  const std::vector<std::vector<std::string>> rows{
      {"0", "ring", "2", "0.003"},   {"1", "ring", "4", "0.002"}, {"2", "direct", "4", "0.001"},
      {"3", "direct", "2", "0.004"}, {"4", "it's", "4", "0.005"},
  };
  const std::string s =
      app::gnuplot_script(header, rows, {"plan.collective", "token_latency", "plan.nodes", "bars.svg"});
  CHECK_THAT(s, Catch::Contains("set style data histograms\nset style histogram clustered gap 1\n"));
  CHECK_THAT(s, Catch::Contains("set xtics ('ring' 0, 'direct' 1, 'it''s' 2)\n"));
  CHECK_THAT(s, Catch::Contains("set xlabel 'plan.collective'\n"));  // words have no unit
  CHECK_THAT(s, Catch::Contains("set ylabel 'token_latency (s)'\n"));
  // Series "2" first (row 0), then "4"; direct's rows come in the other order and still land in their columns.
  CHECK_THAT(s, Catch::Contains("$bars << EOD\n0 0.0030000000000000001 0.002\n1 0.0040000000000000001 0.001\n"
                                "2 NaN 0.0050000000000000001\nEOD\n"));
  CHECK_THAT(s, Catch::Contains("plot $bars using 2 title '2', \\\n     $bars using 3 title '4'\n"));
  CHECK_THAT(s, !Catch::Contains("logscale"));
  CHECK_THAT(s, !Catch::Contains("linespoints"));

  // Without --series: one bar per category, no key entry.
  const std::string one =
      app::gnuplot_script(header, {rows[0], rows[3]}, {"plan.collective", "token_latency", "", "o.svg"});
  CHECK_THAT(one, Catch::Contains("$bars << EOD\n0 0.0030000000000000001\n1 0.0040000000000000001\nEOD\n"));
  CHECK_THAT(one, Catch::Contains("plot $bars using 2 notitle\n"));

  // Two rows in one bar that differ in another swept key are refused, as for lines.
  using testing::input_error;
  CHECK_THAT(input_error([&] {
               app::gnuplot_script(header, rows, {"plan.collective", "token_latency", "", "o.svg"});
             }).message(),
             Catch::Contains("rows 1 and 2 have the same plan.collective but differ in plan.nodes: one bar would mix "
                             "them"));
}

TEST_CASE("plot: y starts at 0 unless --y-auto, and axis labels carry units") {
  const std::vector<std::vector<std::string>> rows{{"0", "1", "1", "0.5"}, {"1", "2", "1", "0.25"}};
  app::PlotSpec spec{"plan.nodes", "tokens_per_second", "", "o.svg"};
  CHECK_THAT(app::gnuplot_script(kHeader, rows, spec), Catch::Contains("set yrange [0:*]\n"));
  spec.y_auto = true;
  CHECK_THAT(app::gnuplot_script(kHeader, rows, spec), !Catch::Contains("yrange"));
  // A figure below 0 (none in the metric table, but a hand-made table may have one) keeps gnuplot's autoscale.
  spec.y_auto = false;
  CHECK_THAT(app::gnuplot_script(kHeader, {{"0", "1", "1", "-1"}, {"1", "2", "1", "2"}}, spec),
             !Catch::Contains("yrange"));

  // Units: a metric's from the catalog (seconds, bytes, tokens/s, and the power figures' W, J, tokens/J), a
  // quantity column's from its cells (base units), none for counts and plain ratios.
  const std::vector<std::string> header{"point", "topology.star.0.latency", "plan.nodes", "average_power",
                                        "energy_per_token", "tokens_per_joule", "wire_bytes", "mfu"};
  const std::vector<std::vector<std::string>> power{{"0", "50 us", "2", "7.5", "0.5", "2", "100", "0.25"},
                                                    {"1", "100 us", "4", "15", "1", "1", "200", "0.5"}};
  auto label = [&](const std::string& x, const std::string& y) {
    return app::gnuplot_script(header, power, {x, y, "", "o.svg"});
  };
  CHECK_THAT(label("topology.star.0.latency", "average_power"),
             Catch::Contains("set xlabel 'topology.star.0.latency (s)'\nset ylabel 'average_power (W)'\n"));
  CHECK_THAT(label("topology.star.0.latency", "average_power"), Catch::Contains("$s0 << EOD\n5.0000000000000002e-05 7.5\n"));
  CHECK_THAT(label("plan.nodes", "energy_per_token"), Catch::Contains("set ylabel 'energy_per_token (J)'\n"));
  CHECK_THAT(label("plan.nodes", "tokens_per_joule"), Catch::Contains("set ylabel 'tokens_per_joule (tokens/J)'\n"));
  CHECK_THAT(label("plan.nodes", "wire_bytes"), Catch::Contains("set xlabel 'plan.nodes'\nset ylabel 'wire_bytes (B)'\n"));
  CHECK_THAT(label("plan.nodes", "mfu"), Catch::Contains("set ylabel 'mfu'\n"));
}

TEST_CASE("plot: topologies compared in one chart, from compare --format csv, and sweep --plot over collectives") {
  require_gnuplot_installed();
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", kSeedLayer);
  const Outcome table = cli({"compare", s, "--topology", SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml",
                             "--topology", SHARDSIM_SOURCE_DIR "/topologies/pi4-8-switch8.toml", "--format", "csv"});
  INFO(table.err);
  REQUIRE(table.code == 0);
  const std::string csv = dir.write("compare.csv", table.out);
  const std::string svg = dir.path("topologies.svg");
  const Outcome o = cli({"plot", csv, "--x", "topology", "--y", "token_latency", "-o", svg});
  INFO(o.err);
  REQUIRE(o.code == 0);
  const std::string text = slurp(svg);
  CHECK(count(text, "<g id=\"gnuplot_plot_") == 1);  // one series of bars
  CHECK_THAT(text, Catch::Contains("pi4-8-switch8.toml"));  // the category's tick label

  // A sweep over a word-valued axis draws bars too; --y-auto is accepted by both commands.
  const std::string bars = dir.path("collectives.png");
  const Outcome sweep = cli({"sweep", s, "--sweep", "plan.collective=ring,direct", "--sweep", "plan.nodes=2,4",
                             "--plot", bars, "--x", "plan.collective", "--y", "token_latency", "--series",
                             "plan.nodes", "--y-auto"});
  INFO(sweep.err);
  REQUIRE(sweep.code == 0);
  CHECK(slurp(bars).rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  CHECK(cli({"sweep", s, "--y-auto"}).code == 2);  // --y-auto goes with --plot
}
