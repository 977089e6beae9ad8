#pragma once
// A derivative-free minimizer (Nelder and Mead's simplex, 1965, with the standard coefficients: reflection 1,
// expansion 2, contraction 1/2, shrink 1/2) for the few parameters of a calibration, whose objective is a whole
// simulation per evaluation: no gradients, a kink wherever a roofline switches ceilings, and a few hundred
// evaluations at most. It restarts from its best point with a fresh simplex until a restart gains nothing, the
// usual remedy for a simplex that collapsed onto a ridge. Deterministic: the same inputs give the same sequence of
// evaluations.

#include <cstddef>
#include <functional>
#include <vector>

namespace shardsim::study {

struct MinimizeOptions {
  double step = 0.2;           // the initial simplex's edge along each axis
  double tolerance = 1e-7;     // stop when the simplex's values differ by less than this (absolute)
  double x_tolerance = 1e-6;   // ... and its vertices by less than this along every axis
  std::size_t max_evaluations = 2000;
  int restarts = 3;
};

struct MinimizeResult {
  std::vector<double> x;
  double value = 0;
  std::size_t evaluations = 0;
};

// The minimum of `f` near `x0` (which must not be empty).
MinimizeResult minimize(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                        const MinimizeOptions& options = {});

}  // namespace shardsim::study
