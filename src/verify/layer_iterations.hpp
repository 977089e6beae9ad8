#pragma once
// What the forward checks share (seed_check.cpp, tensor_check.cpp): the layer runs `iterations` times on its own
// output, unsharded and sharded side by side, and after each the sharded output's relative error against the
// unsharded one, ||sharded - single||_F / ||single||_F in double, is recorded, so that an error that compounds
// through layers shows. A NaN error is kept as the maximum.

#include <Eigen/Dense>
#include <cstddef>
#include <limits>

namespace shardsim::verify {

inline double relative_error(const Eigen::MatrixXf& actual, const Eigen::MatrixXf& reference) {
  const Eigen::MatrixXd expected = reference.cast<double>();
  const double difference = (actual.cast<double>() - expected).norm();
  const double scale = expected.norm();
  if (scale == 0.0) return difference == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return difference / scale;
}

// `single(y)` and `sharded(y)` give the layer's output for input y; `Result` has relative_error (per iteration),
// max_relative_error and the final outputs' sums single_sum and sharded_sum.
template <class Result, class Single, class Sharded>
void iterate_layers(Result& result, const Eigen::MatrixXf& input, int iterations, Single single, Sharded sharded) {
  result.relative_error.reserve(static_cast<std::size_t>(iterations));
  Eigen::MatrixXf y_single = input;
  Eigen::MatrixXf y_sharded = input;
  for (int i = 0; i < iterations; ++i) {
    y_single = single(y_single);
    y_sharded = sharded(y_sharded);
    const double error = relative_error(y_sharded, y_single);
    result.relative_error.push_back(error);
    if (!(error <= result.max_relative_error)) result.max_relative_error = error;  // lets a NaN through
  }
  result.single_sum = y_single.cast<double>().sum();
  result.sharded_sum = y_sharded.cast<double>().sum();
}

}  // namespace shardsim::verify
