#include "shardsim/plan/tensor_split.hpp"

#include <algorithm>

#include "shardsim/util/error.hpp"

namespace shardsim::plan {

TensorSplitResult uneven_tensor_split(const TensorExtents& e, const std::vector<double>& weights) {
  require(e.heads >= 1 && e.kv_heads >= 1 && e.heads % e.kv_heads == 0, "tensor split: invalid heads");
  const auto t = static_cast<std::int64_t>(weights.size());
  const std::int64_t group = e.heads / e.kv_heads;  // query heads per KV head
  TensorSplit s;
  auto none = [](const std::vector<Range>& ranges, const std::string& what, std::int64_t of) -> std::string {
    for (std::size_t r = 0; r < ranges.size(); ++r) {
      if (ranges[r].size == 0) {
        return "rank " + std::to_string(r) + " would get no " + what + " of " + std::to_string(of);
      }
    }
    return "";
  };
  TensorSplitResult out;
  if (t <= e.kv_heads) {
    s.kv_heads = weighted_split(e.kv_heads, weights);
    if (out.problem = none(s.kv_heads, "KV head", e.kv_heads); !out.problem.empty()) return out;
    for (const Range& kv : s.kv_heads) s.heads.push_back(Range{kv.begin * group, kv.size * group});
  } else {
    s.heads = weighted_split(e.heads, weights);
    if (out.problem = none(s.heads, "query head", e.heads); !out.problem.empty()) return out;
    for (const Range& q : s.heads) {
      const std::int64_t first = q.begin / group, last = (q.end() - 1) / group;
      s.kv_heads.push_back(Range{first, last - first + 1});
    }
  }
  s.ff = weighted_split(e.d_ff, weights);
  if (out.problem = none(s.ff, "d_ff column", e.d_ff); !out.problem.empty()) return out;
  s.vocab = weighted_split(e.vocab, weights);
  if (out.problem = none(s.vocab, "vocabulary row", e.vocab); !out.problem.empty()) return out;
  out.split = std::move(s);
  return out;
}

bool is_even_tensor_split(const TensorExtents& e, const TensorSplit& s) {
  const std::int64_t t = s.degree();
  if (e.heads % t != 0 || (e.kv_heads % t != 0 && t % e.kv_heads != 0)) return false;
  auto sizes = [](const std::vector<Range>& a, const std::vector<Range>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const Range& x, const Range& y) { return x.size == y.size; });
  };
  const int parts = static_cast<int>(t);
  return sizes(s.heads, balanced_split(e.heads, parts)) && sizes(s.ff, balanced_split(e.d_ff, parts)) &&
         sizes(s.vocab, balanced_split(e.vocab, parts));
}

std::int64_t units_part(std::int64_t x, std::int64_t units, Range held) {
  require(units >= 1 && held.begin >= 0 && held.end() <= units, "units_part: a range beyond the units");
  // Units [0, i) carry i * (x / units) plus one each for those among the first x % units.
  auto carried = [&](std::int64_t i) { return i * (x / units) + std::min(i, x % units); };
  return carried(held.end()) - carried(held.begin);
}

}  // namespace shardsim::plan
