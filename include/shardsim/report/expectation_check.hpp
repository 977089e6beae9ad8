#pragma once
// Evaluating a scenario's [expect] table against a run's figures: the CI gate.
//
// Every bound of an expectation is evaluated on its own: an absolute bound (value, min, max) always can be, a
// baseline bound (above_baseline, below_baseline) only when a baseline figure for the scenario is at hand. A check
// fails as soon as one evaluated bound fails, so "max = 100 ms, above_baseline = 0.05" without a baseline still
// fails at 166 ms. A check whose failing bounds are none but some of whose bounds could not be evaluated is
// "skipped" (exit 0) by default and failed under `strict` (`shardsim check --strict`).

#include <string>
#include <vector>

#include "shardsim/util/metric.hpp"

namespace shardsim::report {

struct CheckOutcome {
  Expectation expectation;  // a copy: outcomes outlive the scenarios they came from
  double actual = 0;
  bool passed = false;   // every bound evaluated held (and, under strict, every bound was evaluated)
  bool skipped = false;  // no evaluated bound failed, some bound could not be evaluated, not strict
  std::string wanted;    // "= 129024", "<= 120 s", "in [1, 2]", "= 3 (rel 0.01)", "<= baseline 1.2 s + 5%"
  std::string unevaluated;  // why a bound was not evaluated ("above_baseline: no --baseline given"); "" if none
};

// The baseline figures of one scenario, or why there are none.
struct BaselineFigures {
  const std::vector<double>* figures = nullptr;  // indexed like metric_catalog(); NaN where the baseline has none
  std::string why_none;                          // read when figures is nullptr: "no --baseline given"
};

// Evaluates every expectation against `figures` (indexed like metric_catalog()). `strict`: a bound that cannot be
// evaluated fails its check instead of skipping it.
std::vector<CheckOutcome> check(const std::vector<Expectation>& expectations, const std::vector<double>& figures,
                                const BaselineFigures& baseline = {nullptr, "no --baseline given"},
                                bool strict = false);

// A figure written in its unit, e.g. "12.345 ms", "4317184 B", "0.25".
std::string format_figure(double value, MetricUnit unit);

}  // namespace shardsim::report
