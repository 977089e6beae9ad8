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
  CHECK_THAT(script({"1", "8", "16"}), Catch::Contains("set ylabel 'tokens_per_second'"));
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
               app::gnuplot_script(header, words, {"topology.star.0.bandwidth", "token_latency", "", "o.svg"});
             }).message(),
             Catch::Contains("is not numeric: row 1 has 'fast'"));
  // Two rows at the same x that differ in another swept key would make one zig-zag line: refused.
  CHECK_THAT(input_error([&] { app::gnuplot_script(header, rows, {"plan.nodes", "token_latency", "", "o.svg"}); })
                 .message(),
             Catch::Contains("differ in topology.star.0.bandwidth"));
  CHECK_THAT(input_error([&] { app::gnuplot_script(header, {}, {"plan.nodes", "token_latency", "", "o.svg"}); })
                 .message(),
             Catch::Contains("no rows"));
}
