// The recursive doubling algorithm (schedule.hpp), and recursive halving for reduce-scatter; a non-power-of-two
// number of ranks folds its extra ranks in pairwise first and out again last.

#include "builder.hpp"
#include "expansions.hpp"

#include <map>

namespace shardsim::collective::detail {

namespace {

// p' = the largest power of two <= p: the virtual ranks that run the exchanges.
int floor_pow2(int p) {
  int q = 1;
  while (q * 2 <= p) q *= 2;
  return q;
}

}  // namespace

Schedule expand_recursive_doubling(const CollectiveSpec& spec) {
  Builder b(spec, default_parts(spec));
  const int p = spec.ranks();
  const int q = floor_pow2(p);  // virtual ranks
  const int rem = p - q;        // ranks 2i, i < rem, fold into 2i + 1
  const bool halving = spec.kind == CollectiveKind::reduce_scatter;
  // Virtual rank v stands for real ranks [first(v), first(v + 1)) and takes part as rank member(v).
  auto first = [&](int v) { return v < rem ? 2 * v : v + rem; };
  auto member = [&](int v) { return v < rem ? 2 * v + 1 : v + rem; };
  auto real_range = [&](int lo, int hi) { return IndexRange{first(lo), first(hi) - first(lo)}; };

  // into[v]: every step delivered to member(v) so far; each step sends what they brought, so it waits for all.
  std::vector<StepList> into(static_cast<std::size_t>(q));
  for (int i = 0; i < rem; ++i) {
    into[static_cast<std::size_t>(i)].push_back(b.add(2 * i, 2 * i + 1, b.single(2 * i), b.all_parts()));
  }
  for (int k = 0; (1 << k) < q; ++k) {
    std::vector<StepId> sent(static_cast<std::size_t>(q));
    std::map<int, SetId> sets;  // per aligned block (doubling) or residue class (halving)
    for (int v = 0; v < q; ++v) {
      SetId origins = 0;
      SetId parts = 0;
      int partner = 0;
      if (!halving) {
        // The partial result of v's aligned block of 2^k virtual ranks.
        const int block = 1 << k;
        partner = v ^ block;
        const int lo = v & ~(block - 1);
        auto [it, fresh] = sets.try_emplace(lo, 0);
        if (fresh) it->second = b.set({real_range(lo, lo + block)});
        origins = it->second;
        parts = b.all_parts();
      } else {
        // v keeps the half of its current 2d blocks that holds its own and sends the other half, summed so far
        // over the virtual ranks congruent to v modulo 2d.
        const int d = q >> (k + 1);
        partner = v ^ d;
        const int lo = partner & ~(d - 1);
        parts = b.set({real_range(lo, lo + d)});
        const int residue = v % (2 * d);
        auto [it, fresh] = sets.try_emplace(residue, 0);
        if (fresh) {
          std::vector<IndexRange> ranges;
          for (int w = residue; w < q; w += 2 * d) ranges.push_back(real_range(w, w + 1));
          it->second = b.set(std::move(ranges));
        }
        origins = it->second;
      }
      sent[static_cast<std::size_t>(v)] = b.add(member(v), member(partner), origins, parts);
      b.deps(into[static_cast<std::size_t>(v)]);
    }
    for (int v = 0; v < q; ++v) {
      const int partner = halving ? v ^ (q >> (k + 1)) : v ^ (1 << k);
      into[static_cast<std::size_t>(partner)].push_back(sent[static_cast<std::size_t>(v)]);
    }
  }
  for (int i = 0; i < rem; ++i) {
    b.add(2 * i + 1, 2 * i, b.all_ranks(), halving ? b.single(2 * i) : b.all_parts());
    b.deps(into[static_cast<std::size_t>(i)]);
  }
  return b.finish();
}

}  // namespace shardsim::collective::detail
