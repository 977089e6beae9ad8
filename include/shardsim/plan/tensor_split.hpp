#pragma once
// An uneven tensor split (plan.split with the tensor strategy, as llama.cpp's --tensor-split weighs devices): rank r
// of a group holds a contiguous block of every split extent in proportion to its weight, each block cut by the
// largest remainder method (partition.hpp: weighted_split), so every head, column and row is held exactly once.
//   - Attention stays in whole heads. With no more ranks than KV heads the KV heads are split by weight and each
//     rank takes the query heads that use them (whole grouped-query groups: no KV head is replicated); with more
//     ranks than KV heads the query heads are split by weight and a rank holds every KV head its query heads use
//     (replicated where a group spans ranks), as the even split does.
//   - The MLP's d_ff columns (W_gate, W_up columns and W_down rows) and the LM head's vocabulary rows by weight.
// An op's FLOPs and bytes follow the units it is split by: spread evenly over the units (heads, KV heads, columns,
// rows: units_part), a rank's share is what its units carry, so the shares add up to the whole op exactly.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shardsim/plan/partition.hpp"

namespace shardsim::plan {

struct TensorExtents {
  std::int64_t heads = 1, kv_heads = 1, d_ff = 1, vocab = 1;
};

struct TensorSplit {
  std::vector<Range> heads;     // query heads of each rank
  std::vector<Range> kv_heads;  // KV heads each rank holds (overlapping only where they are replicated)
  std::vector<Range> ff;        // d_ff columns
  std::vector<Range> vocab;     // LM head rows

  std::int64_t degree() const { return static_cast<std::int64_t>(heads.size()); }
};

// The split of `extents` by `weights` (one per rank, each positive), or why there is none ("rank 2 would get no KV
// head of 8"): every rank needs at least one query head, one d_ff column and one vocabulary row.
struct TensorSplitResult {
  std::optional<TensorSplit> split;
  std::string problem;
};
TensorSplitResult uneven_tensor_split(const TensorExtents& extents, const std::vector<double>& weights);

// Whether `split` is the even split of these extents (every rank the same heads, KV heads and balanced columns and
// rows), which the tensor plan runs without plan.split: one spelling for one plan.
bool is_even_tensor_split(const TensorExtents& extents, const TensorSplit& split);

// The part of x that the units `held` carry when x is spread over `units` units balanced (the first x % units units
// one more): the sum over the units held, so the parts of disjoint ranges covering every unit add up to x.
std::int64_t units_part(std::int64_t x, std::int64_t units, Range held);

}  // namespace shardsim::plan
