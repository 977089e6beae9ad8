#include "shardsim/study/nelder_mead.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "shardsim/util/error.hpp"

namespace shardsim::study {
namespace {

struct Vertex {
  std::vector<double> x;
  double value = 0;
};

// x0 + t (x1 - x0), element by element.
std::vector<double> along(const std::vector<double>& x0, const std::vector<double>& x1, double t) {
  std::vector<double> out(x0.size());
  for (std::size_t i = 0; i < x0.size(); ++i) out[i] = x0[i] + t * (x1[i] - x0[i]);
  return out;
}

}  // namespace

MinimizeResult minimize(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                        const MinimizeOptions& options) {
  if (x0.empty()) throw InternalError("minimize: no parameters");
  const std::size_t n = x0.size();
  MinimizeResult result;
  auto eval = [&](const std::vector<double>& x) {
    ++result.evaluations;
    return f(x);
  };
  Vertex best{x0, eval(x0)};
  double step = options.step;
  for (int round = 0; round <= options.restarts; ++round, step *= 0.3) {  // each restart nearer the minimum
    const double before = best.value;
    std::vector<Vertex> simplex{best};
    for (std::size_t i = 0; i < n; ++i) {
      Vertex v{best.x, 0};
      v.x[i] += step;
      v.value = eval(v.x);
      simplex.push_back(std::move(v));
    }
    auto by_value = [](const Vertex& a, const Vertex& b) { return a.value < b.value; };
    while (result.evaluations < options.max_evaluations) {
      std::stable_sort(simplex.begin(), simplex.end(), by_value);
      double spread = 0;
      for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t k = 0; k < n; ++k) spread = std::max(spread, std::abs(simplex[i].x[k] - simplex[0].x[k]));
      }
      if (simplex[n].value - simplex[0].value <= options.tolerance && spread <= options.x_tolerance) break;
      if (spread <= options.x_tolerance * 1e-3) break;  // collapsed: the values differ only by the simulator's ps
      // The centroid of every vertex but the worst.
      std::vector<double> centroid(n, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < n; ++k) centroid[k] += simplex[i].x[k] / static_cast<double>(n);
      }
      Vertex& worst = simplex[n];
      const Vertex reflected{along(centroid, worst.x, -1.0), 0};
      const double fr = eval(reflected.x);
      if (fr < simplex[0].value) {
        const std::vector<double> expanded = along(centroid, worst.x, -2.0);
        const double fe = eval(expanded);
        worst = fe < fr ? Vertex{expanded, fe} : Vertex{reflected.x, fr};
      } else if (fr < simplex[n - 1].value) {
        worst = Vertex{reflected.x, fr};
      } else {
        // Contract towards the better of the worst vertex and its reflection.
        const bool outside = fr < worst.value;
        const std::vector<double> contracted = along(centroid, outside ? reflected.x : worst.x, 0.5);
        const double fc = eval(contracted);
        if (fc < std::min(fr, worst.value)) {
          worst = Vertex{contracted, fc};
        } else {
          for (std::size_t i = 1; i <= n; ++i) {
            simplex[i].x = along(simplex[0].x, simplex[i].x, 0.5);
            simplex[i].value = eval(simplex[i].x);
          }
        }
      }
    }
    std::stable_sort(simplex.begin(), simplex.end(), by_value);
    if (simplex[0].value < best.value) best = simplex[0];
    if (result.evaluations >= options.max_evaluations || before - best.value <= options.tolerance) break;
  }
  result.x = best.x;
  result.value = best.value;
  return result;
}

}  // namespace shardsim::study
