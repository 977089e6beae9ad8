// The simplex minimizer on functions whose minimum is known exactly: a shifted quadratic bowl, Rosenbrock's
// valley (minimum 0 at (1, 1), the classic hard case for a simplex), and a roofline-shaped kink like the ones a
// simulated time has (max of two lines plus half the smaller).

#include <catch2/catch.hpp>
#include <cmath>

#include "shardsim/study/nelder_mead.hpp"

using shardsim::study::minimize;

TEST_CASE("the simplex finds the minimum of a shifted bowl, of Rosenbrock's valley and of a kink") {
  const auto bowl = [](const std::vector<double>& x) {
    return (x[0] - 0.3) * (x[0] - 0.3) + 4 * (x[1] + 0.2) * (x[1] + 0.2) + (x[2] - 0.1) * (x[2] - 0.1);
  };
  const auto r = minimize(bowl, {0, 0, 0});
  CHECK(r.x[0] == Approx(0.3).margin(1e-4));
  CHECK(r.x[1] == Approx(-0.2).margin(1e-4));
  CHECK(r.x[2] == Approx(0.1).margin(1e-4));

  const auto rosenbrock = [](const std::vector<double>& x) {
    return 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + (1 - x[0]) * (1 - x[0]);
  };
  shardsim::study::MinimizeOptions options;
  options.tolerance = 1e-14;
  options.x_tolerance = 1e-8;
  options.max_evaluations = 5000;
  const auto v = minimize(rosenbrock, {-1.2, 1.0}, options);
  CHECK(v.x[0] == Approx(1).margin(1e-3));
  CHECK(v.x[1] == Approx(1).margin(1e-3));

  // Two "times" t1 = a + 2 b, t2 = 3 a + b measured at a = 0.5, b = 0.25: t = max + min/2 of the two terms of each.
  // The measured values are 1 (0.5 + 0.5) and 1.75; the kink at a = 2b does not stop the search.
  const auto kink = [](const std::vector<double>& x) {
    const double a = std::exp(x[0]), b = std::exp(x[1]);
    const auto t = [](double p, double q) { return std::max(p, q) + 0.5 * std::min(p, q); };
    const double e1 = t(a, 2 * b) / t(0.5, 0.5) - 1, e2 = t(3 * a, b) / t(1.5, 0.25) - 1;
    return e1 * e1 + e2 * e2;
  };
  const auto k = minimize(kink, {0, 0});
  CHECK(std::exp(k.x[0]) == Approx(0.5).epsilon(1e-4));
  CHECK(std::exp(k.x[1]) == Approx(0.25).epsilon(1e-4));
}

TEST_CASE("the simplex gives the same evaluations in the same order every time") {
  std::vector<double> first, second;
  const auto f = [](std::vector<double>* log) {
    return [log](const std::vector<double>& x) {
      log->push_back(x[0]);
      return std::cos(3 * x[0]) + x[0] * x[0] + x[1] * x[1];
    };
  };
  minimize(f(&first), {1, 1});
  minimize(f(&second), {1, 1});
  CHECK(first == second);
}
