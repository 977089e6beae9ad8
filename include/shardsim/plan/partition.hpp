#pragma once
// How an extent (columns of a weight matrix, heads, layers) is cut into contiguous parts, one per node.
// Balanced: the first `extent % parts` parts get one more element, so part sizes differ by at most one and an
// even split gives exactly extent / parts each (the seed notebook's `i*piece:(i+1)*piece`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shardsim::plan {

struct Range {
  std::int64_t begin = 0;
  std::int64_t size = 0;
  std::int64_t end() const { return begin + size; }
};

// Requires extent >= 0 and parts >= 1; parts larger than extent give empty ranges at the end.
std::vector<Range> balanced_split(std::int64_t extent, int parts);

// Contiguous parts in proportion to `weights` (each positive), exactly covering the extent: part i gets
// floor(extent x w_i / sum w) and the elements left over go one each to the parts with the largest remainders
// (ties to the lower index): the largest remainder method, so no part is ever more than one element off its share.
// Equal weights give balanced_split() exactly.
std::vector<Range> weighted_split(std::int64_t extent, const std::vector<double>& weights);

// Weights written as llama.cpp's --tensor-split writes them, "3,1,1": positive finite numbers separated by commas
// (zeros too when `zeros` is set); none when the text is anything else.
std::optional<std::vector<double>> parse_weights(const std::string& text, bool zeros = false);

}  // namespace shardsim::plan
