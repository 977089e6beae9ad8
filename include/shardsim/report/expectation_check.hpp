#pragma once
// Evaluating a scenario's [expect] table against a run's figures: the CI gate.

#include <string>
#include <vector>

#include "shardsim/util/metric.hpp"

namespace shardsim::report {

struct CheckOutcome {
  const Expectation* expectation = nullptr;
  double actual = 0;
  bool passed = false;
  std::string wanted;  // "= 129024", "<= 120 s", "in [1, 2]", "= 3 (rel 0.01)"
};

std::vector<CheckOutcome> check(const std::vector<Expectation>& expectations, const std::vector<double>& figures);

// A figure written in its unit, e.g. "12.345 ms", "4317184 B", "0.25".
std::string format_figure(double value, MetricUnit unit);

}  // namespace shardsim::report
