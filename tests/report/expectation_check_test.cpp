#include <catch2/catch.hpp>

#include "shardsim/report/expectation_check.hpp"

using namespace shardsim;

namespace {
Expectation expect(std::string_view metric) {
  Expectation e;
  e.metric = std::string(metric);
  e.index = *metric_index(metric);
  return e;
}
std::vector<double> figures_with(std::string_view metric, double value) {
  std::vector<double> f(metric_catalog().size(), 0.0);
  f[*metric_index(metric)] = value;
  return f;
}
}  // namespace

TEST_CASE("exact values pass only when equal") {
  Expectation e = expect("layer_payload_delivered_bytes");
  e.equals = 129024;
  CHECK(report::check({e}, figures_with("layer_payload_delivered_bytes", 129024)).at(0).passed);
  CHECK_FALSE(report::check({e}, figures_with("layer_payload_delivered_bytes", 129025)).at(0).passed);
  CHECK(report::check({e}, figures_with("layer_payload_delivered_bytes", 1)).at(0).wanted == "= 129024 B");
}

TEST_CASE("relative tolerance, min and max") {
  Expectation e = expect("token_latency");
  e.equals = 10.0;
  e.rel_tol = 0.05;  // 9.5 .. 10.5 s
  CHECK(report::check({e}, figures_with("token_latency", 10.49)).at(0).passed);
  CHECK_FALSE(report::check({e}, figures_with("token_latency", 10.51)).at(0).passed);
  Expectation range = expect("tokens_per_second");
  range.min = 3;
  range.max = 4;
  CHECK(report::check({range}, figures_with("tokens_per_second", 3)).at(0).passed);
  CHECK(report::check({range}, figures_with("tokens_per_second", 4)).at(0).passed);
  CHECK_FALSE(report::check({range}, figures_with("tokens_per_second", 2.99)).at(0).passed);
  CHECK_FALSE(report::check({range}, figures_with("tokens_per_second", 4.01)).at(0).passed);
  CHECK(report::check({range}, figures_with("tokens_per_second", 0)).at(0).wanted == "in [3, 4]");
  Expectation at_most = expect("token_latency");
  at_most.max = 0.5;
  CHECK(report::check({at_most}, figures_with("token_latency", 1)).at(0).wanted == "<= 500.000 ms");
}

TEST_CASE("every bound is evaluated when it can be; the rest skip, or fail when strict") {
  // max = 0.1 s with above_baseline and no baseline: 0.166 s must fail on the max alone.
  Expectation e = expect("token_latency");
  e.max = 0.1;
  e.above_baseline = 0.05;
  const auto over = report::check({e}, figures_with("token_latency", 0.166)).at(0);
  CHECK_FALSE(over.passed);
  CHECK_FALSE(over.skipped);
  CHECK(over.unevaluated == "above_baseline: no --baseline given");
  const auto under = report::check({e}, figures_with("token_latency", 0.09)).at(0);
  CHECK(under.passed);
  CHECK(under.skipped);
  const auto strict = report::check({e}, figures_with("token_latency", 0.09), {nullptr, "none"}, true).at(0);
  CHECK_FALSE(strict.passed);
  CHECK_FALSE(strict.skipped);
  // With a baseline of 0.08 s both bounds are evaluated: 0.09 > 0.08 * 1.05 = 0.084 fails, 0.083 passes.
  const std::vector<double> base = figures_with("token_latency", 0.08);
  CHECK_FALSE(report::check({e}, figures_with("token_latency", 0.09), {&base, ""}).at(0).passed);
  const auto held = report::check({e}, figures_with("token_latency", 0.083), {&base, ""}, true).at(0);
  CHECK(held.passed);
  CHECK(held.unevaluated.empty());
  CHECK(held.wanted == "<= 100.000 ms, <= baseline 80.000 ms + 5%");
}
