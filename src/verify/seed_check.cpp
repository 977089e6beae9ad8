#include "shardsim/verify/seed_check.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <random>
#include <string>

#include "layer_iterations.hpp"
#include "normal_stream.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::verify {
namespace {


// rows x cols of N(0, 1) / divisor, drawn row-major (like numpy/JAX) so the draw order does not depend on
// Eigen's storage order.
Eigen::MatrixXf random_matrix(NormalStream& normals, Eigen::Index rows, Eigen::Index cols, double divisor) {
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = static_cast<float>(normals.next() / divisor);
  }
  return m;
}

void require_inside(const std::vector<Range>& ranges, std::int64_t cols, const char* matrix) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const Range& r = ranges[i];
    // Written so that no sum can overflow for any input.
    const bool inside = r.begin >= 0 && r.size >= 0 && r.begin <= cols && r.size <= cols - r.begin;
    if (!inside) {
      throw InternalError("seed check: " + std::string(matrix) + " range of machine " + std::to_string(i) +
                          " (begin " + std::to_string(r.begin) + ", size " + std::to_string(r.size) +
                          ") lies outside columns [0, " + std::to_string(cols) + ")");
    }
  }
}

// hstack into a receive buffer of fixed width: `piece` goes to columns [offset, offset + piece.cols()) of
// `dest`; whatever falls past dest's last column is dropped. Returns the offset for the next piece.
Eigen::Index append_columns(Eigen::MatrixXf& dest, const Eigen::MatrixXf& piece, Eigen::Index offset) {
  const Eigen::Index fit = std::clamp<Eigen::Index>(dest.cols() - offset, 0, piece.cols());
  if (fit > 0) dest.middleCols(offset, fit) = piece.leftCols(fit);
  return offset + piece.cols();
}

struct Layer {
  Eigen::MatrixXf expand;  // d_model x d_ff
  Eigen::MatrixXf reduce;  // d_ff x d_model

  // The notebook's layer_single_machine.
  Eigen::MatrixXf single(const Eigen::MatrixXf& x) const {
    const Eigen::MatrixXf activation = (x * expand).cwiseMax(0.0f);
    return activation * reduce;
  }

  // The notebook's layer_n_machines (its bookkeeping of bytes aside). With one machine holding everything the
  // products below are the same Eigen kernels on the same operands as in single(), hence bitwise equal.
  Eigen::MatrixXf sharded(const Eigen::MatrixXf& x, const std::vector<Range>& expand_cols,
                          const std::vector<Range>& reduce_cols) const {
    // Phase 1: every machine computes its activation piece; the all-gather concatenates them in machine order.
    Eigen::MatrixXf full_activation = Eigen::MatrixXf::Zero(x.rows(), expand.cols());
    Eigen::Index offset = 0;
    for (const Range& e : expand_cols) {
      if (e.size == 0) continue;  // an idle machine contributes no columns
      const Eigen::MatrixXf piece = (x * expand.middleCols(e.begin, e.size)).cwiseMax(0.0f);
      offset = append_columns(full_activation, piece, offset);
    }
    // Phase 2: every machine projects the full activation onto its columns of reduce; gathered in order.
    Eigen::MatrixXf output = Eigen::MatrixXf::Zero(x.rows(), reduce.cols());
    offset = 0;
    for (const Range& r : reduce_cols) {
      if (r.size == 0) continue;
      const Eigen::MatrixXf piece = full_activation * reduce.middleCols(r.begin, r.size);
      offset = append_columns(output, piece, offset);
    }
    return output;
  }
};

// ||sharded - single||_F / ||single||_F in double.

}  // namespace

SeedCheckResult check_seed_layer(const SeedCheckOptions& options, const std::vector<Range>& expand_cols,
                                 const std::vector<Range>& reduce_cols) {
  require(options.d_model >= 1 && options.d_ff >= 1 && options.batch >= 1 && options.iterations >= 1,
          "seed check: d_model, d_ff, batch and iterations must be positive");
  require(!expand_cols.empty(), "seed check: at least one machine");
  require(expand_cols.size() == reduce_cols.size(),
          "seed check: expand_cols and reduce_cols must have one range per machine each");
  require_inside(expand_cols, options.d_ff, "expand");
  require_inside(reduce_cols, options.d_model, "reduce");

  const auto d_model = static_cast<Eigen::Index>(options.d_model);
  const auto d_ff = static_cast<Eigen::Index>(options.d_ff);
  const auto batch = static_cast<Eigen::Index>(options.batch);
  const double sqrt_d_model = std::sqrt(static_cast<double>(options.d_model));
  const double sqrt_d_ff = std::sqrt(static_cast<double>(options.d_ff));

  NormalStream normals(options.seed);
  Layer layer;
  layer.expand = random_matrix(normals, d_model, d_ff, sqrt_d_ff);
  layer.reduce = random_matrix(normals, d_ff, d_model, sqrt_d_model);
  const Eigen::MatrixXf input = random_matrix(normals, batch, d_model, sqrt_d_model);

  SeedCheckResult result;
  iterate_layers(
      result, input, options.iterations, [&](const Eigen::MatrixXf& y) { return layer.single(y); },
      [&](const Eigen::MatrixXf& y) { return layer.sharded(y, expand_cols, reduce_cols); });
  return result;
}

}  // namespace shardsim::verify
