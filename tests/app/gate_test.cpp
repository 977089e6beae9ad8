// `shardsim check` as a CI gate: every bound evaluated when it can be, --strict, baseline keys that do not depend
// on how the scenario's path was typed, and JUnit skips (issue 15, item 1).
#include <catch2/catch.hpp>
#include <string>

#include "cli_run.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using shardsim::testing::cli;
using shardsim::testing::Outcome;
using shardsim::testing::slurp;

namespace {

// The seed layer on 4 Pi 4s: its token takes 1.466 ms (tests/golden/seed-layer-4-batch6.txt).
std::string seed_layer(const std::string& expect, const std::string& top = "") {
  return top + "topology = \"" SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml\"\n" +
         "[model]\npreset = \"seed-mlp\"\n[plan]\nnodes = 4\n[run]\nbatch = 6\n[expect]\n" + expect + "\n";
}

}  // namespace

TEST_CASE("gate: an absolute bound beside a baseline bound is checked without a baseline") {
  // Before: "skip ... baseline (none given)", 0 failed, exit 0, although 1.466 ms > 1 ms.
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", seed_layer("token_latency = { max = \"1 ms\", above_baseline = 0.05 }"));
  const Outcome o = cli({"check", s});
  CHECK(o.code == 1);
  CHECK_THAT(o.out, Catch::Contains("FAIL token_latency"));
  CHECK_THAT(o.out, Catch::Contains("expected <= 1.000 ms, baseline + 5% (not evaluated)"));
  CHECK_THAT(o.out, Catch::Contains("actual 1.466 ms"));
  CHECK_THAT(o.out, Catch::Contains("not evaluated: above_baseline: no --baseline given"));
  CHECK_THAT(o.out, Catch::Contains("0 passed, 1 failed\n"));
}

TEST_CASE("gate: a bound that cannot be evaluated skips by default and fails under --strict") {
  testing::TempDir dir;
  // 2 ms holds (1.466 ms); the baseline bound cannot be evaluated.
  const std::string s = dir.write("s.toml", seed_layer("token_latency = { max = \"2 ms\", below_baseline = 0.1 }"));
  const Outcome lax = cli({"check", s});
  CHECK(lax.code == 0);
  CHECK_THAT(lax.out, Catch::Contains("skip token_latency"));
  CHECK_THAT(lax.out, Catch::Contains("0 passed, 0 failed, 1 skipped"));
  const Outcome strict = cli({"check", s, "--strict"});
  CHECK(strict.code == 1);
  CHECK_THAT(strict.out, Catch::Contains("FAIL token_latency"));
  CHECK_THAT(strict.out, Catch::Contains("not evaluated: below_baseline: no --baseline given"));
  CHECK_THAT(strict.out, Catch::Contains("0 passed, 1 failed\n"));
}

TEST_CASE("gate: baselines are keyed by the path relative to the baseline file, however it is typed") {
  // Before: written as "<dir>/s.toml", checked as "<dir>/./s.toml": skipped, exit 0, "none given".
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", seed_layer("token_latency = { above_baseline = 0.05 }"));
  const std::string base = dir.path("baseline.toml");
  REQUIRE(cli({"check", s, "--update-baseline", base}).code == 0);
  CHECK_THAT(slurp(base), Catch::Contains("[\"s.toml\"]"));
  for (const std::string& typed : {dir.path("./s.toml"), dir.path("sub/../s.toml")}) {
    dir.write("sub/keep", "");
    const Outcome o = cli({"check", typed, "--baseline", base, "--strict"});
    INFO(o.out);
    CHECK(o.code == 0);
    CHECK_THAT(o.out, Catch::Contains("ok   token_latency"));
    CHECK_THAT(o.out, Catch::Contains("1 passed, 0 failed\n"));
  }
  // A baseline in another folder has no entry for this key: the miss names the key it looked for.
  const std::string elsewhere = dir.write("ci/baseline.toml", "[\"other.toml\"]\ntoken_latency = 1.0\n");
  const Outcome miss = cli({"check", s, "--baseline", elsewhere});
  CHECK(miss.code == 0);
  CHECK_THAT(miss.out, Catch::Contains("not evaluated: above_baseline: no entry '../s.toml' in " + elsewhere +
                                       " (the scenario's path relative to the baseline's folder)"));
  CHECK(cli({"check", s, "--baseline", elsewhere, "--strict"}).code == 1);
}

TEST_CASE("gate: a scenario's name keys it in the baseline, wherever the files are") {
  testing::TempDir dir;
  const std::string a = dir.write("a/s.toml", seed_layer("token_latency = { above_baseline = 0.05 }",
                                                         "name = \"seed-4\"\n"));
  const std::string base = dir.write("b/baseline.toml", "");
  REQUIRE(cli({"check", a, "--update-baseline", base}).code == 0);
  CHECK_THAT(slurp(base), Catch::Contains("[\"seed-4\"]"));
  // A copy elsewhere with the same name finds the entry.
  const std::string moved = dir.write("c/d/t.toml", slurp(a));
  const Outcome o = cli({"check", moved, "--baseline", base, "--strict"});
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("expected <= baseline 1.466 ms + 5%"));
  // Two scenarios with one name cannot share a baseline.
  const Outcome twice = cli({"check", a, moved, "--update-baseline", dir.path("twice.toml")});
  CHECK(twice.code == 2);
  CHECK_THAT(twice.err, Catch::Contains("baseline key 'seed-4' is also the key of " + a));
  // An empty name is refused where it is written.
  const std::string empty = dir.write("e.toml", seed_layer("fits = true", "name = \"\"\n"));
  const Outcome bad = cli({"run", empty});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains(empty + ":1:8: name: must not be empty"));
}

TEST_CASE("gate: a baseline without the metric does not evaluate it") {
  // A baseline written by a version that had no such metric: before, base = NaN made "actual <= NaN" fail.
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", seed_layer("token_latency = { above_baseline = 0.05 }"));
  const std::string base = dir.write("baseline.toml", "[\"s.toml\"]\nnodes = 4\n");
  const Outcome o = cli({"check", s, "--baseline", base});
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("not evaluated: above_baseline: the baseline has no token_latency for this scenario"));
}

TEST_CASE("gate: JUnit marks a skip as skipped with the reason, a strict failure as a failure") {
  testing::TempDir dir;
  const std::string s = dir.write("s.toml", seed_layer("token_latency = { max = \"2 ms\", above_baseline = 0.05 }"));
  const std::string xml = dir.path("check.xml");
  REQUIRE(cli({"check", s, "--junit", xml}).code == 0);
  const std::string lax = slurp(xml);
  CHECK_THAT(lax, Catch::Contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""));
  CHECK_THAT(lax, Catch::Contains("<skipped message=\"expected &lt;= 2.000 ms, baseline + 5% (not evaluated), actual "
                                  "1.466 ms; not evaluated: above_baseline: no --baseline given\"/>"));
  REQUIRE(cli({"check", s, "--junit", xml, "--strict"}).code == 1);
  const std::string strict = slurp(xml);
  CHECK_THAT(strict, Catch::Contains("tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\""));
  CHECK_THAT(strict, Catch::Contains("<failure message=\"expected &lt;= 2.000 ms"));
}
