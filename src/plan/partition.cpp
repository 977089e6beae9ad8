#include "shardsim/plan/partition.hpp"

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
