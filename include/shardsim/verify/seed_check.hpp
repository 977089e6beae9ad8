#pragma once
// Numerical check of the seed notebook's sharding plan (what `shardsim verify` runs): the MLP layer
// y = relu(x @ expand) @ reduce computed on one machine and split across N machines must agree.
// Unitless: matrix sizes are element counts; computation is in float (the notebook's float32), errors in double.
//
// The sharded layer, exactly as in the notebook: machine i holds expand[:, E_i] and reduce[:, R_i], computes
// activation_piece_i = relu(x @ expand[:, E_i]); the pieces are concatenated (hstack, in machine order) into
// full_activation, which every machine then holds; machine i computes output_piece_i = full_activation @
// reduce[:, R_i]; the output pieces are concatenated (in machine order) into the full output. The layer is
// iterated (output fed back as input) and every iteration of the sharded chain is compared with the
// single-machine chain.
//
// Why this checks the plan: column splits of `expand` commute with relu (relu is elementwise) and column splits
// of `reduce` give independent output columns, so the two chains differ only by float rounding (summation
// order inside the matmuls) when the ranges are a partition in order. A wrong plan -- a dropped, duplicated,
// overlapping or reordered range -- changes which weights meet which activations and shows as an O(1) error.
//
// The ranges are NOT validated as a partition (a test hands in wrong ones on purpose). The concatenation is
// positional, like a receive buffer of fixed size: piece after piece from column 0; columns past the end
// (d_ff for activations, d_model for outputs) are dropped, columns never written stay zero. Only ranges
// outside the matrix (or mismatched counts, non-positive sizes) are InternalError: callers validate user input.
//
// Inputs are random like the notebook's: expand ~ N(0,1)/sqrt(d_ff), reduce ~ N(0,1)/sqrt(d_model),
// x ~ N(0,1)/sqrt(d_model). The notebook used JAX's PRNG, so its printed sums (-0.0906...) are not reproduced;
// here normals come from std::mt19937_64 (fully specified by the standard) through Box-Muller, drawn in the
// order expand, reduce, x, each row-major -- deterministic across standard libraries up to libm's last-ulp
// rounding of log/cos/sin before the cast to float.

#include <cstdint>
#include <vector>

#include "shardsim/plan/partition.hpp"

namespace shardsim::verify {

using plan::balanced_split;
using plan::Range;

struct SeedCheckOptions {
  std::int64_t d_model = 512;  // embedding dimension (notebook: embedding_dim)
  std::int64_t d_ff = 2048;    // activation dimension (notebook: nonlinear_dim)
  std::int64_t batch = 6;
  int iterations = 10;         // layer applied this many times, output fed back as input
  std::uint64_t seed = 30;
};

struct SeedCheckResult {
  double max_relative_error = 0.0;     // max over iterations of relative_error
  std::vector<double> relative_error;  // per iteration: ||y_sharded - y_single||_F / ||y_single||_F
  double single_sum = 0.0;             // sum of all elements of the final single-machine output (in double)
  double sharded_sum = 0.0;            // the same for the sharded chain (the notebook's `.sum()`)
};

// expand_cols[i] / reduce_cols[i]: the column ranges of expand (d_model x d_ff) and reduce (d_ff x d_model)
// that machine i holds; both vectors have one entry per machine (at least one machine).
// Throws InternalError when a range lies outside its matrix, the counts differ, or an option is not positive.
SeedCheckResult check_seed_layer(const SeedCheckOptions& options, const std::vector<Range>& expand_cols,
                                 const std::vector<Range>& reduce_cols);

}  // namespace shardsim::verify
