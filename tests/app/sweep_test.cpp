#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "printing.hpp"
#include "shardsim/app/cli.hpp"
#include "shardsim/study/memory_estimate.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/study/sweep.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/util/metric.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

using shardsim::testing::Outcome;
using shardsim::testing::cli;
using shardsim::testing::slurp;



// The seed notebook's layer on the repository's 4-node star: each point runs in well under a millisecond.
constexpr const char* kSeedLayer =
    "topology = \"" SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml\"\n"
    "[model]\n"
    "preset = \"seed-mlp\"\n"
    "[plan]\n"
    "nodes = 4\n"
    "[run]\n"
    "batch = 6\n";

// ---- parsers written for the tests, independent of the ones in src/table/table_file.cpp ----

// RFC 4180: fields separated by commas, quoted when they hold a comma, a quote or a line end ("" is a quote).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record(1);
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        record.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        record.back() += c;
      }
    } else if (c == '"') {
      REQUIRE(record.back().empty());  // a quote opens a field or is doubled inside one
      quoted = true;
    } else if (c == ',') {
      record.emplace_back();
    } else if (c == '\n') {
      records.push_back(record);
      record.assign(1, "");
    } else {
      REQUIRE(c != '\r');
      record.back() += c;
    }
  }
  REQUIRE_FALSE(quoted);
  REQUIRE(record == std::vector<std::string>{""});  // the text ends with a line end
  return records;
}

// One JSON object of strings, numbers and booleans, as (key, value text, was a string) in order.
struct JsonField {
  std::string key;
  std::string value;
  bool is_string;
};
std::vector<JsonField> parse_json_object(const std::string& s) {
  std::size_t i = 0;
  auto string = [&] {
    REQUIRE(s.at(i) == '"');
    std::string out;
    for (++i; s.at(i) != '"'; ++i) {
      if (s[i] == '\\') {
        ++i;
        REQUIRE((s.at(i) == '"' || s[i] == '\\'));
      }
      out += s[i];
    }
    ++i;
    return out;
  };
  std::vector<JsonField> fields;
  REQUIRE(s.at(i++) == '{');
  while (s.at(i) != '}') {
    if (!fields.empty()) REQUIRE(s.at(i++) == ',');
    JsonField f;
    f.key = string();
    REQUIRE(s.at(i++) == ':');
    f.is_string = s.at(i) == '"';
    if (f.is_string) {
      f.value = string();
    } else {
      const std::size_t end = s.find_first_of(",}", i);
      f.value = s.substr(i, end - i);
      i = end;
      if (f.value != "true" && f.value != "false") {
        std::size_t used = 0;
        std::stod(f.value, &used);
        REQUIRE(used == f.value.size());
      }
    }
    fields.push_back(f);
  }
  REQUIRE(i + 1 == s.size());
  return fields;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Checks that `cells` (one row, after `point` and the axes) hold exactly the catalog figures of `result`.
void check_figures(const std::vector<std::string>& cells, std::size_t first, const report::Result& result) {
  REQUIRE(cells.size() == first + metric_catalog().size());
  for (std::size_t m = 0; m < metric_catalog().size(); ++m) {
    INFO(metric_catalog()[m].name);
    const std::string& cell = cells[first + m];
    const double figure = result.figures[m];
    const MetricUnit unit = metric_catalog()[m].unit;
    if (unit == MetricUnit::count || unit == MetricUnit::bytes || unit == MetricUnit::flag) {
      CHECK(cell == std::to_string(std::llround(figure)));
    } else {
      CHECK(std::stod(cell) == figure);  // %.17g gives back the very same double
    }
  }
}

}  // namespace

TEST_CASE("sweep: points are the cross product, the last axis varying fastest") {
  const std::vector<scenario::SweepAxis> axes{{"a", {"1", "2"}, {}}, {"b", {"x", "y", "z"}, {}}};
  REQUIRE(study::point_count(axes) == 6);
  CHECK(study::point_values(axes, 0) == std::vector<std::string>{"1", "x"});
  CHECK(study::point_values(axes, 1) == std::vector<std::string>{"1", "y"});
  CHECK(study::point_values(axes, 2) == std::vector<std::string>{"1", "z"});
  CHECK(study::point_values(axes, 3) == std::vector<std::string>{"2", "x"});
  CHECK(study::point_values(axes, 5) == std::vector<std::string>{"2", "z"});
  CHECK(study::point_count({}) == 1);  // no axes: one point, the scenario as written

  // On the command line: the [sweep] table's axes in the order written, then the --sweep axes.
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", std::string(kSeedLayer) +
                                                "[sweep]\n"
                                                "\"run.batch\" = [1, 8]\n"
                                                "\"plan.nodes\" = [2, 4]\n");
  const Outcome o = cli({"sweep", s, "--sweep", "topology.star.0.latency=1 us,2 us,3 us"});
  REQUIRE(o.code == 0);
  const auto rows = parse_csv(o.out);
  REQUIRE(rows.size() == 1 + 12);
  CHECK(std::vector<std::string>(rows[0].begin(), rows[0].begin() + 5) ==
        std::vector<std::string>{"point", "run.batch", "plan.nodes", "topology.star.0.latency", "nodes"});
  CHECK(rows[1][0] == "0");
  CHECK(std::vector<std::string>(rows[1].begin(), rows[1].begin() + 4) ==
        std::vector<std::string>{"0", "1", "2", "1 us"});
  CHECK(std::vector<std::string>(rows[2].begin(), rows[2].begin() + 4) ==
        std::vector<std::string>{"1", "1", "2", "2 us"});
  CHECK(std::vector<std::string>(rows[4].begin(), rows[4].begin() + 4) ==
        std::vector<std::string>{"3", "1", "4", "1 us"});
  CHECK(std::vector<std::string>(rows[12].begin(), rows[12].begin() + 4) ==
        std::vector<std::string>{"11", "8", "4", "3 us"});
  CHECK(rows[12][4] == "4");  // the `nodes` metric follows plan.nodes

  // A --sweep axis with a [sweep] key replaces it in place.
  const Outcome replaced = cli({"sweep", s, "--sweep", "plan.nodes=1,2,3"});
  REQUIRE(replaced.code == 0);
  const auto r2 = parse_csv(replaced.out);
  CHECK(r2.size() == 1 + 6);
  CHECK(std::vector<std::string>(r2[0].begin(), r2[0].begin() + 3) ==
        std::vector<std::string>{"point", "run.batch", "plan.nodes"});
}

TEST_CASE("sweep: a range a..b*k expands geometrically, 8..1024*2 is 8 values") {
  const scenario::SweepAxis axis = scenario::parse_sweep_argument("run.batch=8..1024*2");
  CHECK(axis.values == std::vector<std::string>{"8", "16", "32", "64", "128", "256", "512", "1024"});
  CHECK(scenario::parse_sweep_argument("plan.nodes=1..4").values.size() == 4);
  CHECK(scenario::parse_sweep_argument("run.batch=2..10+4").values == std::vector<std::string>{"2", "6", "10"});

  testing::TempDir dir;
  const std::string s = dir.write("s.toml", kSeedLayer);
  const Outcome o = cli({"sweep", s, "--sweep", "run.batch=8..1024*2"});
  REQUIRE(o.code == 0);
  const auto rows = parse_csv(o.out);
  REQUIRE(rows.size() == 1 + 8);
  CHECK(rows[8][0] == "7");
  CHECK(rows[8][1] == "1024");
}

TEST_CASE("sweep: integer ranges near the int64 limits stay exact integers") {
  // 2^63 - 1 = 9223372036854775807; a double would print these as 9.22337203685e+18.
  CHECK(scenario::parse_sweep_argument("run.batch=9223372036854775805..9223372036854775807").values ==
        std::vector<std::string>{"9223372036854775805", "9223372036854775806", "9223372036854775807"});
  // The next doubling of 2^62 would leave int64: the range stops there rather than wrapping.
  CHECK(scenario::parse_sweep_argument("run.batch=4611686018427387904..9223372036854775807*2").values ==
        std::vector<std::string>{"4611686018427387904"});
  CHECK(scenario::parse_sweep_argument("run.batch=-9223372036854775808..-9223372036854775807").values ==
        std::vector<std::string>{"-9223372036854775808", "-9223372036854775807"});
  // A decimal range out there would skip integers: refused with what to write instead.
  CHECK_THROWS_WITH(scenario::parse_sweep_argument("run.batch=1e18..1.1e18+1e16"),
                    Catch::Matchers::Contains("write it in whole numbers"));
  // Through the command line, the integer reaches the key, whose own bound names it (batch is at most 1,000,000).
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", kSeedLayer);
  const Outcome o = cli({"sweep", s, "--sweep", "run.batch=9223372036854775806..9223372036854775807"});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Matchers::Contains("got 9223372036854775806"));
}

TEST_CASE("sweep: the table's memory is bounded before it runs, and refused above --max-memory") {
  // glibc blocks: n bytes take max(32, n + 8 rounded up to 16).
  CHECK(study::heap_block(1) == 32);
  CHECK(study::heap_block(25) == 48);
  CHECK(study::heap_block(40) == 48);
  CHECK(study::heap_block(41) == 64);
  // One axis of short values ("1".."8", inline in std::string): a row is the vector (24 B), one block of
  // (2 + M) cells of sizeof(Cell) = 40 B, the point's text (inline: at most 20 digits is above 15, so a 32-byte
  // block for 21), and M figure texts of up to 24 characters, a 48-byte block each.
  study::SweepSpec spec;
  spec.axes.push_back(scenario::SweepAxis{"run.batch", {"1", "2", "3", "4", "5", "6", "7", "8"}, {}});
  const std::size_t m = metric_catalog().size();
  REQUIRE(sizeof(table::Cell) == 40);
  const std::size_t row = 24 + ((2 + m) * 40 + 8 + 15) / 16 * 16 + 32 + m * 48;
  CHECK(study::sweep_table_bytes(spec, 8) == 8 * row);
  CHECK(study::sweep_table_bytes(spec, 1'000'000) == 1'000'000ULL * row);

  // Refused before any point runs, with the estimate and what to change; exit 2.
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", kSeedLayer);
  const Outcome o = cli({"sweep", s, "--sweep", "run.batch=1..8", "--max-memory", "1 kB"});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Matchers::Contains("the table of 8 points needs about"));
  CHECK_THAT(o.err, Catch::Matchers::Contains("--shard K/N"));
  CHECK(o.out.empty());
  CHECK(cli({"sweep", s, "--sweep", "run.batch=1..8", "--max-memory", "1 MB", "--quiet"}).code == 0);
  CHECK(cli({"sweep", s, "--sweep", "run.batch=1..8", "--max-memory", "lots"}).code == 2);
}

TEST_CASE("sweep: CSV and JSON lines are well-formed and hold the figures run_scenario gives") {
  testing::TempDir dir;
  // node_prefix takes any string: one with a comma and a quote checks the CSV quoting and the JSON escaping.
  const std::string s = dir.write("s.toml", std::string(kSeedLayer) +
                                                "[sweep]\n"
                                                "\"topology.star.0.node_prefix\" = [\"pi\", \"a,\\\"b\"]\n");
  const std::vector<std::string> args{"sweep", s, "--sweep", "plan.nodes=1,4", "--sweep", "run.batch=6,64"};
  const Outcome csv = cli(args);
  REQUIRE(csv.code == 0);
  std::vector<std::string> jsonl_args = args;
  jsonl_args.insert(jsonl_args.end(), {"--format", "jsonl"});
  const Outcome jsonl = cli(jsonl_args);
  REQUIRE(jsonl.code == 0);

  const auto rows = parse_csv(csv.out);
  const auto objects = lines(jsonl.out);
  REQUIRE(rows.size() == 1 + 8);
  REQUIRE(objects.size() == 8);
  const std::vector<std::string>& header = rows[0];
  REQUIRE(header.size() == 4 + metric_catalog().size());
  CHECK(header[1] == "topology.star.0.node_prefix");
  for (std::size_t m = 0; m < metric_catalog().size(); ++m) CHECK(header[4 + m] == metric_catalog()[m].name);
  CHECK(rows[5][1] == "a,\"b");

  for (std::size_t p = 0; p < 8; ++p) {
    INFO("point " << p);
    const std::vector<std::string>& row = rows[1 + p];
    CHECK(row[0] == std::to_string(p));
    // The same point run directly.
    const scenario::Scenario direct =
        scenario::load(s, {"topology.star.0.node_prefix=" + std::string(p < 4 ? "\"pi\"" : "\"a,\\\"b\""),
                           "plan.nodes=" + row[2], "run.batch=" + row[3]});
    check_figures(row, 4, study::run_scenario(direct));

    // The JSON line holds the same cells under the same keys, in the same order; numbers bare.
    const auto fields = parse_json_object(objects[p]);
    REQUIRE(fields.size() == header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
      CHECK(fields[c].key == header[c]);
      CHECK(fields[c].value == row[c]);
      CHECK(fields[c].is_string == (c == 1));  // only the node prefix is a string
    }
  }
}

TEST_CASE("sweep: --jobs 1 and --jobs 2 write byte-identical tables") {
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", kSeedLayer);
  const std::vector<std::string> axes{"--sweep", "plan.nodes=1..4", "--sweep", "run.batch=1..64*2"};
  for (const char* format : {"csv", "jsonl"}) {
    INFO(format);
    std::vector<std::string> args{"sweep", s, "--format", format};
    args.insert(args.end(), axes.begin(), axes.end());
    auto with_jobs = [&](const char* jobs) {
      std::vector<std::string> a = args;
      a.insert(a.end(), {"--jobs", jobs});
      const Outcome o = cli(a);
      REQUIRE(o.code == 0);
      return o.out;
    };
    const std::string one = with_jobs("1");
    CHECK(lines(one).size() == (std::string(format) == "csv" ? 29u : 28u));
    CHECK(with_jobs("2") == one);
    CHECK(with_jobs("7") == one);
  }
}

TEST_CASE("sweep: --shard 1/3, 2/3, 3/3 merged give the unsharded table byte for byte") {
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", std::string(kSeedLayer) +
                                                "[sweep]\n"
                                                "\"topology.star.0.bandwidth\" = [\"1 Gbit/s\", \"10 Gbit/s\"]\n");
  for (const char* format : {"csv", "jsonl"}) {
    INFO(format);
    const std::vector<std::string> base{"sweep", s, "--sweep", "plan.nodes=1..4", "--format", format, "--jobs", "2"};
    const Outcome whole = cli(base);
    REQUIRE(whole.code == 0);
    for (int n : {3, 10}) {  // with 10 slices of 8 points, two slices are empty
      INFO(n << " slices");
      std::vector<std::string> merge{"merge"};
      for (int k = n; k >= 1; --k) {  // given in reverse, to show that merge sorts
        std::vector<std::string> args = base;
        const std::string part = dir.path("part" + std::to_string(k) + "." + format);
        args.insert(args.end(), {"--shard", std::to_string(k) + "/" + std::to_string(n), "-o", part});
        REQUIRE(cli(args).code == 0);
        const std::string text = slurp(part);
        if (std::string(format) == "csv") CHECK(text.rfind("point,", 0) == 0);  // every slice has the header
        merge.push_back(part);
      }
      const std::string out = dir.path(std::string("merged.") + format);
      merge.insert(merge.end(), {"-o", out});
      const Outcome merged = cli(merge);
      REQUIRE(merged.code == 0);
      CHECK(slurp(out) == whole.out);
    }
    // A slice holds every N-th point, starting at K - 1.
    std::vector<std::string> args = base;
    args.insert(args.end(), {"--shard", "2/3"});
    const Outcome slice = cli(args);
    REQUIRE(slice.code == 0);
    const auto slice_lines = lines(slice.out);
    const std::size_t first = std::string(format) == "csv" ? 1 : 0;
    REQUIRE(slice_lines.size() == first + 3);  // points 1, 4, 7
    CHECK(slice_lines[first].find(std::string(format) == "csv" ? "1," : "{\"point\":1,") == 0);
    CHECK(slice_lines[first + 2].find(std::string(format) == "csv" ? "7," : "{\"point\":7,") == 0);
  }
  CHECK(cli({"sweep", s, "--shard", "0/3"}).code == 2);
  CHECK(cli({"sweep", s, "--shard", "4/3"}).code == 2);
  CHECK(cli({"sweep", s, "--shard", "3"}).code == 2);
}

TEST_CASE("merge: a point twice, a gap or different headers are errors (exit 2)") {
  testing::TempDir dir;
  const std::string a = dir.write("a.csv", "point,plan.nodes,x\n0,1,5\n2,3,7\n");
  const std::string b = dir.write("b.csv", "point,plan.nodes,x\n1,2,6\n");
  const std::string b_again = dir.write("c.csv", "point,plan.nodes,x\n1,2,6\n");
  const std::string other = dir.write("d.csv", "point,run.batch,x\n1,2,6\n");
  const std::string wider = dir.write("e.csv", "point,plan.nodes,x,y\n1,2,6,0\n");
  const std::string jsonl = dir.write("f.jsonl", "{\"point\":1,\"plan.nodes\":2,\"x\":6}\n");

  const Outcome ok = cli({"merge", a, b});
  CHECK(ok.code == 0);
  CHECK(ok.out == "point,plan.nodes,x\n0,1,5\n1,2,6\n2,3,7\n");

  const Outcome twice = cli({"merge", a, b, b_again});
  CHECK(twice.code == 2);
  CHECK_THAT(twice.err, Catch::Contains(b_again + ":2:1: point 1 is also at " + b + ":2:1"));

  const Outcome gap = cli({"merge", a});
  CHECK(gap.code == 2);
  CHECK_THAT(gap.err, Catch::Contains(a + ":3:1: point 1 is missing"));
  const Outcome partial = cli({"merge", a, "--allow-partial"});
  CHECK(partial.code == 0);
  CHECK(partial.out == "point,plan.nodes,x\n0,1,5\n2,3,7\n");
  CHECK(cli({"merge", a, a, "--allow-partial"}).code == 2);  // duplicates stay errors

  const Outcome header = cli({"merge", a, other});
  CHECK(header.code == 2);
  CHECK_THAT(header.err, Catch::Contains("column 2 is 'run.batch' here and 'plan.nodes' there"));
  CHECK(cli({"merge", a, wider}).code == 2);
  CHECK(cli({"merge", a, jsonl}).code == 2);  // CSV and JSON lines do not mix

  const std::string j0 = dir.write("j0.jsonl", "{\"point\":0,\"plan.nodes\":1,\"x\":5}\n");
  const std::string j1 = dir.write("j1.jsonl", "{\"point\":1,\"plan.nodes\":2,\"y\":6}\n");
  const Outcome keys = cli({"merge", j0, j1});
  CHECK(keys.code == 2);
  CHECK_THAT(keys.err, Catch::Contains("column 3 is 'y' here and 'x' there"));
  CHECK(cli({"merge", j0, jsonl}).out == "{\"point\":0,\"plan.nodes\":1,\"x\":5}\n{\"point\":1,\"plan.nodes\":2,\"x\":6}\n");

  const std::string not_point = dir.write("g.csv", "plan.nodes,x\n1,5\n");
  CHECK(cli({"merge", not_point}).code == 2);
  const std::string bad_number = dir.write("h.csv", "point,x\nzero,5\n");
  CHECK_THAT(cli({"merge", bad_number}).err, Catch::Contains(bad_number + ":2:1: point 'zero' is not a point number"));
  CHECK(cli({"merge", dir.path("missing.csv")}).code == 2);
}

TEST_CASE("sweep: an invalid axis value exits 2 at its position, before any point runs") {
  testing::TempDir dir;
  // Line 9 column 16 is the array of plan.nodes; 5 nodes do not exist in a 4-node star.
  const std::string s = dir.write("s.toml", std::string(kSeedLayer) +
                                                "[sweep]\n"
                                                "\"plan.nodes\" = [2, 4, 5]\n");
  const std::string out = dir.path("out.csv");
  const Outcome file_axis = cli({"sweep", s, "-o", out});
  CHECK(file_axis.code == 2);
  CHECK_THAT(file_axis.err, Catch::StartsWith(s + ":9:16: sweep value plan.nodes=5 (point 2): plan.nodes: must be"));
  CHECK(slurp(out).empty());  // nothing was written

  // On the command line the column is that of the value in the argument: "--sweep " is 8 characters.
  const std::string ok = dir.write("ok.toml", kSeedLayer);
  const Outcome cli_axis = cli({"sweep", ok, "--sweep", "run.batch=1,2", "--sweep", "plan.nodes=2,4,five"});
  CHECK(cli_axis.code == 2);
  CHECK_THAT(cli_axis.err,
             Catch::StartsWith("--sweep plan.nodes=2,4,five:1:24: sweep value plan.nodes=five (point 2): "));
  CHECK(cli_axis.out.empty());

  // The first value of a --sweep axis is tried when the scenario's [sweep] table is read: the same message.
  CHECK_THAT(cli({"sweep", ok, "--sweep", "plan.nodes=five,4"}).err,
             Catch::StartsWith("--sweep plan.nodes=five,4:1:20: sweep value plan.nodes=five: "));
  CHECK(cli({"sweep", ok, "--sweep", "plan.nodes"}).code == 2);             // no values
  CHECK(cli({"sweep", ok, "--sweep", "plan.nodes=4..1"}).code == 2);        // a range ending below its start
  CHECK(cli({"sweep", ok, "--sweep", "plan.nodse=1,2"}).code == 2);         // an unknown key
  CHECK(cli({"sweep", ok, "--sweep", "run.batch=1", "--sweep", "run.batch=2"}).code == 2);  // swept twice
  CHECK_THAT(cli({"sweep", ok, "--sweep", "run.batch=1,2", "--set", "run.batch=3"}).err,
             Catch::Contains("'run.batch' is also swept"));
  CHECK(cli({"sweep", ok, "--format", "xml"}).code == 2);
  CHECK(cli({"sweep", ok, "--jobs", "0"}).code == 2);
  CHECK(cli({"sweep", ok, "--x", "plan.nodes"}).code == 2);  // --x without --plot
}

TEST_CASE("sweep: value texts become cells, strings unquoted") {
  CHECK(study::cell_text("\"1 Gbit/s\"") == "1 Gbit/s");
  CHECK(study::cell_text("\"a\\\"b\\\\c\"") == "a\"b\\c");
  CHECK(study::cell_text("'literal'") == "literal");
  CHECK(study::cell_text("64") == "64");
  CHECK(study::cell_text("1 Gbit/s") == "1 Gbit/s");
  CHECK(study::shard_points(8, {2, 3}) == std::vector<std::size_t>{1, 4, 7});
  CHECK(study::shard_points(2, {3, 3}).empty());
}

TEST_CASE("sweep: --help shows the options") {
  for (const char* command : {"sweep", "merge", "plot"}) {
    const Outcome o = cli({command, "--help"});
    CHECK(o.code == 0);
    CHECK_THAT(o.out, Catch::Contains("example:"));
  }
}
