#pragma once
// How an extent (columns of a weight matrix, heads, layers) is cut into contiguous parts, one per node.
// Balanced: the first `extent % parts` parts get one more element, so part sizes differ by at most one and an
// even split gives exactly extent / parts each (the seed notebook's `i*piece:(i+1)*piece`).

#include <cstdint>
#include <vector>

namespace shardsim::plan {

struct Range {
  std::int64_t begin = 0;
  std::int64_t size = 0;
  std::int64_t end() const { return begin + size; }
};

// Requires extent >= 0 and parts >= 1; parts larger than extent give empty ranges at the end.
std::vector<Range> balanced_split(std::int64_t extent, int parts);

}  // namespace shardsim::plan
