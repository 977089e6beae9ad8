#pragma once
// Evaluating a scenario's [expect] table against a run's figures: the CI gate.

#include <string>
#include <vector>

#include "shardsim/util/metric.hpp"

namespace shardsim::report {

struct CheckOutcome {
  Expectation expectation;  // a copy: outcomes outlive the scenarios they came from
  double actual = 0;
  bool passed = false;
  bool skipped = false;  // a baseline check with no baseline given
  std::string wanted;    // "= 129024", "<= 120 s", "in [1, 2]", "= 3 (rel 0.01)", "<= baseline 1.2 s + 5%"
};

// `baseline`: the stored figures of the same scenario (indexed like metric_catalog()), or nullptr when none was
// given, in which case baseline checks are skipped (not failed).
std::vector<CheckOutcome> check(const std::vector<Expectation>& expectations, const std::vector<double>& figures,
                                const std::vector<double>* baseline = nullptr);

// A figure written in its unit, e.g. "12.345 ms", "4317184 B", "0.25".
std::string format_figure(double value, MetricUnit unit);

}  // namespace shardsim::report
