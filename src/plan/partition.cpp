#include "shardsim/plan/partition.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "shardsim/util/error.hpp"

namespace shardsim::plan {

std::vector<Range> balanced_split(std::int64_t extent, int parts) {
  require(extent >= 0, "balanced_split: extent must be >= 0");
  require(parts >= 1, "balanced_split: parts must be >= 1");
  const std::int64_t base = extent / parts;   // every part gets at least this many
  const std::int64_t extra = extent % parts;  // the first `extra` parts get one more
  std::vector<Range> ranges;
  ranges.reserve(static_cast<std::size_t>(parts));
  std::int64_t begin = 0;
  for (int i = 0; i < parts; ++i) {
    const std::int64_t size = base + (i < extra ? 1 : 0);
    ranges.push_back(Range{begin, size});
    begin += size;
  }
  return ranges;
}

}  // namespace shardsim::plan

namespace shardsim::plan {

std::vector<Range> weighted_split(std::int64_t extent, const std::vector<double>& weights) {
  require(extent >= 0, "weighted_split: extent must be >= 0");
  require(!weights.empty(), "weighted_split: no parts");
  double total = 0;
  for (const double w : weights) {
    require(w > 0, "weighted_split: weights must be positive");
    total += w;
  }
  std::vector<std::int64_t> size(weights.size());
  std::vector<double> remainder(weights.size());
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double share = static_cast<double>(extent) * weights[i] / total;
    size[i] = std::min(extent, static_cast<std::int64_t>(std::floor(share)));
    remainder[i] = share - static_cast<double>(size[i]);
    given += size[i];
  }
  // The elements left over (fewer than the parts: each floor lost less than one) to the largest remainders.
  std::vector<std::size_t> order(weights.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t k = 0; given < extent; ++k, ++given) ++size[order[k % order.size()]];
  std::vector<Range> ranges;
  std::int64_t begin = 0;
  for (const std::int64_t s : size) {
    ranges.push_back(Range{begin, s});
    begin += s;
  }
  require(begin == extent, "weighted_split: parts do not cover the extent");
  return ranges;
}

std::optional<std::vector<double>> parse_weights(const std::string& text, bool zeros) {
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string piece = text.substr(start, comma - start);
    char* end = nullptr;
    const double w = std::strtod(piece.c_str(), &end);
    if (piece.empty() || end != piece.c_str() + piece.size() || !std::isfinite(w)) return std::nullopt;
    if (!(w > 0) && !(zeros && w == 0)) return std::nullopt;
    out.push_back(w);
    start = comma + 1;
  }
  return out;
}

}  // namespace shardsim::plan
