#include "builder.hpp"

#include <algorithm>
#include <utility>

namespace shardsim::collective::detail {

int default_parts(const CollectiveSpec& spec) {
  return spec.kind == CollectiveKind::broadcast || spec.kind == CollectiveKind::gather ||
                 spec.kind == CollectiveKind::all_gather
             ? 1
             : spec.ranks();
}

Builder::Builder(const CollectiveSpec& spec, int parts) : spec_(spec), p_(spec.ranks()) {
  schedule_.parts = parts;
  prefix_.assign(static_cast<std::size_t>(p_) + 1, 0);
  for (int r = 0; r < p_; ++r) {
    prefix_[static_cast<std::size_t>(r) + 1] = prefix_[static_cast<std::size_t>(r)] + piece(r).count;
  }
  single_.assign(static_cast<std::size_t>(std::max(p_, parts)), none);
}

SetId Builder::set(std::vector<IndexRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const IndexRange& a, const IndexRange& b) { return a.first < b.first; });
  for (const IndexRange& r : ranges) {
    if (r.count <= 0) continue;
    auto& out = schedule_.set_ranges;
    const std::size_t begin = schedule_.set_begin.back();
    if (out.size() > begin && out.back().first + out.back().count >= r.first) {
      out.back().count = std::max(out.back().first + out.back().count, r.first + r.count) - out.back().first;
    } else {
      out.push_back(r);
    }
  }
  schedule_.set_begin.push_back(static_cast<std::uint32_t>(schedule_.set_ranges.size()));
  return static_cast<SetId>(schedule_.set_begin.size() - 2);
}

SetId Builder::set_of(const std::vector<int>& indices) {
  std::vector<IndexRange> ranges;
  for (int i : indices) ranges.push_back(IndexRange{i, 1});
  return set(std::move(ranges));
}

SetId Builder::cyclic(int first, int count, int n) {
  first = mod(first, n);
  if (first + count <= n) return set({IndexRange{first, count}});
  return set({IndexRange{first, n - first}, IndexRange{0, first + count - n}});
}

Bytes Builder::parts_of(Bytes total, std::span<const IndexRange> set) const {
  const std::int64_t n = parts();
  const std::int64_t q = total.count / n;
  const std::int64_t extra = total.count % n;
  std::int64_t sum = 0;
  for (const IndexRange& r : set) {
    const std::int64_t lo = r.first;
    const std::int64_t hi = r.first + r.count;
    sum += r.count * q + std::max<std::int64_t>(0, std::min(hi, extra) - lo);
  }
  return Bytes{sum};
}

// What a step carries, in bytes (schedule.hpp): parts of the sum for reductions, whole pieces per receiver for
// all-to-all, parts of each piece otherwise.
Bytes Builder::bytes_of(SetId origins, SetId part_set) const {
  const auto o = schedule_.set(origins);
  const auto q = schedule_.set(part_set);
  auto pieces_sum = [&] {
    std::int64_t sum = 0;
    for (const IndexRange& r : o) {
      sum += prefix_[static_cast<std::size_t>(r.first + r.count)] - prefix_[static_cast<std::size_t>(r.first)];
    }
    return sum;
  };
  switch (spec_.kind) {
    case CollectiveKind::reduce:
    case CollectiveKind::all_reduce:
    case CollectiveKind::reduce_scatter:
      return parts_of(piece(0), q);
    case CollectiveKind::all_to_all: {
      std::int64_t receivers = 0;
      for (const IndexRange& r : q) receivers += r.count;
      return Bytes{pieces_sum() * receivers};
    }
    case CollectiveKind::broadcast:
    case CollectiveKind::gather:
    case CollectiveKind::all_gather:
      break;
  }
  if (parts() == 1) return Bytes{pieces_sum()};
  Bytes sum{};
  for (const IndexRange& r : o) {
    for (int i = r.first; i < r.first + r.count; ++i) sum += parts_of(piece(i), q);
  }
  return sum;
}

}  // namespace shardsim::collective::detail
