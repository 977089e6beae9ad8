#include "shardsim/collective/collective.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "shardsim/util/error.hpp"

namespace shardsim::collective {

std::string_view to_string(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::broadcast: return "broadcast";
    case CollectiveKind::gather: return "gather";
    case CollectiveKind::all_gather: return "all-gather";
    case CollectiveKind::reduce: return "reduce";
    case CollectiveKind::all_reduce: return "all-reduce";
    case CollectiveKind::reduce_scatter: return "reduce-scatter";
    case CollectiveKind::all_to_all: return "all-to-all";
  }
  return "?";
}

namespace {

constexpr std::array<std::pair<std::string_view, CollectiveKind>, 7> kinds{{
    {"broadcast", CollectiveKind::broadcast},
    {"gather", CollectiveKind::gather},
    {"all_gather", CollectiveKind::all_gather},
    {"reduce", CollectiveKind::reduce},
    {"all_reduce", CollectiveKind::all_reduce},
    {"reduce_scatter", CollectiveKind::reduce_scatter},
    {"all_to_all", CollectiveKind::all_to_all},
}};

constexpr std::array<std::pair<std::string_view, Algorithm>, 5> algorithms{{
    {"direct", Algorithm::direct},
    {"ring", Algorithm::ring},
    {"tree", Algorithm::tree},
    {"recursive_doubling", Algorithm::recursive_doubling},
    {"hierarchical", Algorithm::hierarchical},
}};

bool is_reduction(CollectiveKind kind) {
  return kind == CollectiveKind::reduce || kind == CollectiveKind::all_reduce ||
         kind == CollectiveKind::reduce_scatter;
}

bool is_rooted(CollectiveKind kind) {
  return kind == CollectiveKind::broadcast || kind == CollectiveKind::gather || kind == CollectiveKind::reduce;
}

}  // namespace

std::string_view to_string(Algorithm algorithm) {
  for (const auto& [name, a] : algorithms) {
    if (a == algorithm) return name;
  }
  return "?";
}

std::span<const std::pair<std::string_view, CollectiveKind>> kind_names() { return kinds; }
std::span<const std::pair<std::string_view, Algorithm>> algorithm_names() { return algorithms; }

bool supports(CollectiveKind kind, Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::direct:
    case Algorithm::ring:
      return true;
    case Algorithm::tree:
    case Algorithm::hierarchical:
      return kind != CollectiveKind::all_to_all;
    case Algorithm::recursive_doubling:
      return kind == CollectiveKind::all_gather || kind == CollectiveKind::all_reduce ||
             kind == CollectiveKind::reduce_scatter;
  }
  return false;
}

Bytes part_bytes(Bytes total, int parts, int index) {
  require(parts >= 1 && index >= 0 && index < parts, "part_bytes: part out of range");
  const std::int64_t q = total.count / parts;
  const std::int64_t extra = total.count % parts;
  return Bytes{q + (index < extra ? 1 : 0)};
}

Bytes result_bytes(const CollectiveSpec& spec) {
  if (spec.pieces.empty()) return Bytes{};
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      return spec.pieces.at(static_cast<std::size_t>(spec.root));
    case CollectiveKind::reduce:
    case CollectiveKind::all_reduce:
    case CollectiveKind::reduce_scatter:
      return spec.pieces.front();
    case CollectiveKind::gather:
    case CollectiveKind::all_gather:
    case CollectiveKind::all_to_all:
      break;
  }
  Bytes total{};
  for (Bytes piece : spec.pieces) total += piece;
  return total;
}

Bytes result_bytes(const CollectiveSpec& spec, int rank) {
  require(rank >= 0 && rank < spec.ranks(), "result_bytes: rank out of range");
  switch (spec.kind) {
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      return rank == spec.root ? result_bytes(spec) : Bytes{};
    case CollectiveKind::reduce_scatter:
      return part_bytes(result_bytes(spec), spec.ranks(), rank);
    case CollectiveKind::broadcast:
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
    case CollectiveKind::all_to_all:
      return result_bytes(spec);
  }
  throw InternalError("result_bytes: unknown kind");
}

Bytes payload_delivered(const CollectiveSpec& spec) {
  switch (spec.kind) {
    case CollectiveKind::broadcast:
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
    case CollectiveKind::all_to_all:
      return result_bytes(spec) * spec.ranks();
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
    case CollectiveKind::reduce_scatter:
      return result_bytes(spec);
  }
  throw InternalError("payload_delivered: unknown kind");
}

std::vector<Bytes> bytes_sent(const Schedule& schedule, int ranks) {
  std::vector<Bytes> out(static_cast<std::size_t>(ranks));
  for (const Step& step : schedule.steps) out.at(static_cast<std::size_t>(step.src)) += step.bytes;
  return out;
}

std::vector<Bytes> bytes_received(const Schedule& schedule, int ranks) {
  std::vector<Bytes> out(static_cast<std::size_t>(ranks));
  for (const Step& step : schedule.steps) out.at(static_cast<std::size_t>(step.dst)) += step.bytes;
  return out;
}

namespace {

using SetId = std::uint32_t;
using StepId = std::uint32_t;
using StepList = std::vector<StepId>;

int mod(int a, int n) { return ((a % n) + n) % n; }

int ceil_log2(int p) {
  int k = 0;
  while ((1 << k) < p) ++k;
  return k;
}

int floor_pow2(int p) {
  int q = 1;
  while (q * 2 <= p) q *= 2;
  return q;
}

// Builds a Schedule: steps with their content (index sets, deduplicated where the caller asks) and their
// dependencies, computing each step's bytes from what it carries.
class Builder {
 public:
  Builder(const CollectiveSpec& spec, int parts) : spec_(spec), p_(spec.ranks()) {
    schedule_.parts = parts;
    prefix_.assign(static_cast<std::size_t>(p_) + 1, 0);
    for (int r = 0; r < p_; ++r) {
      prefix_[static_cast<std::size_t>(r) + 1] = prefix_[static_cast<std::size_t>(r)] + piece(r).count;
    }
    single_.assign(static_cast<std::size_t>(std::max(p_, parts)), none);
  }

  int ranks() const { return p_; }
  int parts() const { return schedule_.parts; }
  void reserve(std::size_t steps, std::size_t deps = 0) {
    schedule_.steps.reserve(steps);
    schedule_.dep_begin.reserve(steps + 1);
    schedule_.deps.reserve(deps);
  }
  Bytes piece(int r) const { return spec_.pieces[static_cast<std::size_t>(r)]; }

  // A set from any ranges (sorted and merged here).
  SetId set(std::vector<IndexRange> ranges) {
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
  // A set from single indices, in any order.
  SetId set_of(const std::vector<int>& indices) {
    std::vector<IndexRange> ranges;
    for (int i : indices) ranges.push_back(IndexRange{i, 1});
    return set(std::move(ranges));
  }
  // [first, first + count) modulo n.
  SetId cyclic(int first, int count, int n) {
    first = mod(first, n);
    if (first + count <= n) return set({IndexRange{first, count}});
    return set({IndexRange{first, n - first}, IndexRange{0, first + count - n}});
  }
  SetId single(int i) {
    SetId& id = single_[static_cast<std::size_t>(i)];
    if (id == none) id = set({IndexRange{i, 1}});
    return id;
  }
  SetId all_ranks() {
    if (all_ranks_ == none) all_ranks_ = set({IndexRange{0, p_}});
    return all_ranks_;
  }
  SetId all_parts() {
    if (all_parts_ == none) all_parts_ = parts() == p_ ? all_ranks() : set({IndexRange{0, parts()}});
    return all_parts_;
  }

  // Adds a step; its dependencies follow with dep()/deps().
  StepId add(int src, int dst, SetId origins, SetId part_set) {
    require(src != dst, "collective: a step to its own source");
    schedule_.dep_begin.push_back(static_cast<std::uint32_t>(schedule_.deps.size()));
    schedule_.steps.push_back(Step{src, dst, bytes_of(origins, part_set), origins, part_set});
    return static_cast<StepId>(schedule_.steps.size() - 1);
  }
  void dep(StepId k) {
    require(!schedule_.steps.empty() && k + 1 < schedule_.steps.size(),
            "collective: a dependency must name an earlier step");
    schedule_.deps.push_back(k);
  }
  void deps(const StepList& ks) {
    for (StepId k : ks) dep(k);
  }

  Schedule finish() {
    schedule_.dep_begin.push_back(static_cast<std::uint32_t>(schedule_.deps.size()));
    return std::move(schedule_);
  }

 private:
  static constexpr SetId none = ~SetId{0};

  // Sum of parts of `total` over `set`, with the balanced split of part_bytes.
  Bytes parts_of(Bytes total, std::span<const IndexRange> set) const {
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

  Bytes bytes_of(SetId origins, SetId part_set) const {
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

  const CollectiveSpec& spec_;
  int p_;
  Schedule schedule_;
  std::vector<std::int64_t> prefix_;  // prefix sums of the pieces
  std::vector<SetId> single_;
  SetId all_ranks_ = none;
  SetId all_parts_ = none;
};

// Gather-type kinds cut nothing (one part); reductions cut V into one block per rank; all-to-all has one part per
// receiver. Algorithms that need another cut say so.
int default_parts(const CollectiveSpec& spec) {
  return spec.kind == CollectiveKind::broadcast || spec.kind == CollectiveKind::gather ||
                 spec.kind == CollectiveKind::all_gather
             ? 1
             : spec.ranks();
}

// Segments of a pipelined chain of `hops` hops: one per hop, never an empty one.
int segments(Bytes message, int hops) {
  return static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(hops, message.count)));
}

// ---------------------------------------------------------------------------------------------------------------
// direct

// One message per (source, destination) pair that needs data, no dependencies. Messages are listed source-major so
// that each sender's queue is served in rank order (destination src+1, src+2, ... wrapping), which spreads the
// all-gather's first messages over all receivers instead of flooding rank 0.
Schedule expand_direct(const CollectiveSpec& spec) {
  Builder b(spec, default_parts(spec));
  const int p = spec.ranks();
  const int root = spec.root;
  b.reserve(is_rooted(spec.kind) ? static_cast<std::size_t>(p - 1)
                                 : static_cast<std::size_t>(p) * static_cast<std::size_t>(p - 1));
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      for (int k = 1; k < p; ++k) b.add(root, (root + k) % p, b.single(root), b.all_parts());
      break;
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      for (int k = 1; k < p; ++k) {
        const int src = (root + k) % p;
        b.add(src, root, b.single(src), b.all_parts());
      }
      break;
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
      for (int src = 0; src < p; ++src) {
        for (int k = 1; k < p; ++k) b.add(src, (src + k) % p, b.single(src), b.all_parts());
      }
      break;
    case CollectiveKind::reduce_scatter:
    case CollectiveKind::all_to_all:
      for (int src = 0; src < p; ++src) {
        for (int k = 1; k < p; ++k) {
          const int dst = (src + k) % p;
          b.add(src, dst, b.single(src), b.single(dst));
        }
      }
      break;
  }
  return b.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// ring

Schedule expand_ring(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  const int root = spec.root;
  const auto up = static_cast<StepId>(p);  // steps per round in the round-major layouts
  switch (spec.kind) {
    case CollectiveKind::broadcast: {
      // Hop h = 0..p-2 sends root+h -> root+h+1; segment j of hop h waits for segment j of hop h-1.
      const int s = segments(spec.pieces[static_cast<std::size_t>(root)], p - 1);
      Builder b(spec, s);
      for (int h = 0; h + 1 < p; ++h) {
        for (int j = 0; j < s; ++j) {
          b.add((root + h) % p, (root + h + 1) % p, b.single(root), b.single(j));
          if (h > 0) b.dep(static_cast<StepId>((h - 1) * s + j));
        }
      }
      return b.finish();
    }
    case CollectiveKind::reduce: {
      // Hop h = 1..p-1 sends root+h -> root+h+1 (the last hop ends at the root); segment j of hop h carries the
      // sum over ranks root+1..root+h and waits for segment j of hop h-1.
      const int s = segments(spec.pieces.front(), p - 1);
      Builder b(spec, s);
      for (int h = 1; h < p; ++h) {
        const SetId contributors = b.cyclic(root + 1, h, p);
        for (int j = 0; j < s; ++j) {
          b.add((root + h) % p, (root + h + 1) % p, contributors, b.single(j));
          if (h > 1) b.dep(static_cast<StepId>((h - 2) * s + j));
        }
      }
      return b.finish();
    }
    case CollectiveKind::gather: {
      // Hop h = 1..p-1 (rank root+h): its own piece, then the pieces of root+h-1, ..., root+1 in the order they
      // arrive from hop h-1. carrying[j] is the step of the previous hop that carried piece root+j.
      Builder b(spec, 1);
      StepList carrying(static_cast<std::size_t>(p));
      for (int h = 1; h < p; ++h) {
        const int src = (root + h) % p;
        const int dst = (root + h + 1) % p;
        StepList next(static_cast<std::size_t>(p));
        next[static_cast<std::size_t>(h)] = b.add(src, dst, b.single(src), b.all_parts());
        for (int j = h - 1; j >= 1; --j) {
          next[static_cast<std::size_t>(j)] = b.add(src, dst, b.single((root + j) % p), b.all_parts());
          b.dep(carrying[static_cast<std::size_t>(j)]);
        }
        carrying = std::move(next);
      }
      return b.finish();
    }
    case CollectiveKind::all_gather: {
      // Round k = 0..p-2: rank r sends r+1 the piece of rank r-k, received in round k-1 from r-1.
      Builder b(spec, 1);
      b.reserve(static_cast<std::size_t>(p) * (p - 1), static_cast<std::size_t>(p) * (p - 1));
      for (int k = 0; k + 1 < p; ++k) {
        for (int r = 0; r < p; ++r) {
          b.add(r, (r + 1) % p, b.single(mod(r - k, p)), b.all_parts());
          if (k > 0) b.dep(static_cast<StepId>(k - 1) * up + static_cast<StepId>(mod(r - 1, p)));
        }
      }
      return b.finish();
    }
    case CollectiveKind::reduce_scatter:
    case CollectiveKind::all_reduce: {
      // Reduce-scatter, round k = 0..p-2: rank r sends r+1 block r-k-1 summed over ranks r-k..r (what it received
      // in round k-1 from r-1 plus its own). After round p-2 rank r holds block r complete.
      Builder b(spec, p);
      b.reserve(static_cast<std::size_t>(p) * (p - 1) * 2, static_cast<std::size_t>(p) * (p - 1) * 2);
      for (int k = 0; k + 1 < p; ++k) {
        for (int r = 0; r < p; ++r) {
          b.add(r, (r + 1) % p, b.cyclic(r - k, k + 1, p), b.single(mod(r - k - 1, p)));
          if (k > 0) b.dep(static_cast<StepId>(k - 1) * up + static_cast<StepId>(mod(r - 1, p)));
        }
      }
      if (spec.kind == CollectiveKind::all_reduce) {
        // All-gather of the complete blocks, round k = 0..p-2: rank r sends r+1 block r-k.
        const auto base = static_cast<StepId>(p - 1) * up;
        for (int k = 0; k + 1 < p; ++k) {
          for (int r = 0; r < p; ++r) {
            b.add(r, (r + 1) % p, b.all_ranks(), b.single(mod(r - k, p)));
            const auto from = static_cast<StepId>(mod(r - 1, p));
            b.dep(k == 0 ? static_cast<StepId>(p - 2) * up + from : base + static_cast<StepId>(k - 1) * up + from);
          }
        }
      }
      return b.finish();
    }
    case CollectiveKind::all_to_all: {
      // Round k = 1..p-1: rank r sends its piece for r+k to r+k, once round k-1's piece (from r-k+1) arrived.
      Builder b(spec, p);
      b.reserve(static_cast<std::size_t>(p) * (p - 1), static_cast<std::size_t>(p) * (p - 1));
      for (int k = 1; k < p; ++k) {
        for (int r = 0; r < p; ++r) {
          b.add(r, (r + k) % p, b.single(r), b.single((r + k) % p));
          if (k > 1) b.dep(static_cast<StepId>(k - 2) * up + static_cast<StepId>(mod(r - k + 1, p)));
        }
      }
      return b.finish();
    }
  }
  throw InternalError("ring: unknown kind");
}

// ---------------------------------------------------------------------------------------------------------------
// tree (binomial)

class Binomial {
 public:
  Binomial(Builder& b, int root) : b_(b), p_(b.ranks()), root_(root), k_(ceil_log2(b.ranks())) {}

  int real(int v) const { return (v + root_) % p_; }

  // Upwards (gather, reduce): in round i (mask 2^i) relative rank v = mask (mod 2 mask) sends v - mask its
  // subtree's pieces, or their partial sum, once all its children arrived. Returns the steps delivered to the root.
  StepList up() {
    std::vector<StepList> into(static_cast<std::size_t>(p_));
    for (int i = 0; i < k_; ++i) {
      const int mask = 1 << i;
      for (int v = mask; v < p_; v += 2 * mask) {
        const SetId subtree = b_.cyclic(real(v), std::min(mask, p_ - v), p_);
        const StepId k = b_.add(real(v), real(v - mask), subtree, b_.all_parts());
        b_.deps(into[static_cast<std::size_t>(v)]);
        into[static_cast<std::size_t>(v - mask)].push_back(k);
      }
    }
    return into.front();
  }

  // Downwards (broadcast, scatter): in round i (mask 2^(K-1-i)) relative rank v = 0 (mod 2 mask) sends v + mask
  // what it received (the root: once `root_deps` are delivered). `scatter`: v + mask's subtree's blocks only.
  void down(SetId origins, bool scatter, const StepList& root_deps) {
    StepList got(static_cast<std::size_t>(p_));
    for (int i = 0; i < k_; ++i) {
      const int mask = 1 << (k_ - 1 - i);
      for (int v = 0; v + mask < p_; v += 2 * mask) {
        const SetId parts = scatter ? b_.cyclic(real(v + mask), std::min(mask, p_ - v - mask), p_) : b_.all_parts();
        const StepId k = b_.add(real(v), real(v + mask), origins, parts);
        if (v == 0) {
          b_.deps(root_deps);
        } else {
          b_.dep(got[static_cast<std::size_t>(v)]);
        }
        got[static_cast<std::size_t>(v + mask)] = k;
      }
    }
  }

 private:
  Builder& b_;
  int p_;
  int root_;
  int k_;
};

Schedule expand_tree(const CollectiveSpec& spec) {
  Builder b(spec, default_parts(spec));
  Binomial tree(b, spec.root);
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      tree.down(b.single(spec.root), false, {});
      break;
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      tree.up();
      break;
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
      tree.down(b.all_ranks(), false, tree.up());
      break;
    case CollectiveKind::reduce_scatter:
      tree.down(b.all_ranks(), true, tree.up());
      break;
    case CollectiveKind::all_to_all:
      throw InternalError("tree: all-to-all is not supported");
  }
  return b.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// recursive doubling (reduce-scatter: recursive halving)

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

// ---------------------------------------------------------------------------------------------------------------
// hierarchical

Schedule expand_hierarchical(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  // Groups in the order of their lowest ranks; members in rank order.
  std::vector<std::vector<int>> members;
  {
    std::map<int, int> index;
    for (int r = 0; r < p; ++r) {
      const int id = spec.groups.empty() ? 0 : spec.groups[static_cast<std::size_t>(r)];
      auto [it, fresh] = index.try_emplace(id, static_cast<int>(members.size()));
      if (fresh) members.emplace_back();
      members[static_cast<std::size_t>(it->second)].push_back(r);
    }
  }
  const int g_count = static_cast<int>(members.size());
  const auto G = static_cast<std::size_t>(g_count);
  std::vector<int> leader(G);
  int root_group = -1;
  for (std::size_t g = 0; g < G; ++g) {
    leader[g] = members[g].front();
    if (is_rooted(spec.kind) &&
        std::find(members[g].begin(), members[g].end(), spec.root) != members[g].end()) {
      leader[g] = spec.root;
      root_group = static_cast<int>(g);
    }
  }
  const int parts = spec.kind == CollectiveKind::all_reduce ? std::max(1, g_count) : default_parts(spec);
  Builder b(spec, parts);
  std::vector<SetId> group_set(G);
  for (std::size_t g = 0; g < G; ++g) group_set[g] = b.set_of(members[g]);
  auto next = [&](int i) { return static_cast<std::size_t>(mod(i + 1, g_count)); };
  auto prev = [&](int i) { return static_cast<std::size_t>(mod(i - 1, g_count)); };
  auto union_of = [&](int first, int count) {  // groups first .. first+count-1 (mod G)
    std::vector<int> ranks;
    for (int j = 0; j < count; ++j) {
      const auto& m = members[static_cast<std::size_t>(mod(first + j, g_count))];
      ranks.insert(ranks.end(), m.begin(), m.end());
    }
    std::sort(ranks.begin(), ranks.end());
    return b.set_of(ranks);
  };

  // Members to their leader: their piece or their vector.
  std::vector<StepList> into(G);
  auto members_up = [&] {
    for (std::size_t g = 0; g < G; ++g) {
      for (int m : members[g]) {
        if (m != leader[g]) into[g].push_back(b.add(m, leader[g], b.single(m), b.all_parts()));
      }
    }
  };
  // Leaders to their members, once `ready[g]` are delivered: `origins` and `parts` (or each member's block).
  auto members_down = [&](SetId origins, bool own_block, const std::vector<StepList>& ready) {
    for (std::size_t g = 0; g < G; ++g) {
      for (int m : members[g]) {
        if (m == leader[g]) continue;
        b.add(leader[g], m, origins, own_block ? b.single(m) : b.all_parts());
        b.deps(ready[g]);
      }
    }
  };
  // Ring all-gather among the leaders: in round k leader i forwards to leader i+1 what `carried(i - k)` names (the
  // part that started at leader i - k); its first round waits for `first_deps(i)`, later rounds for the previous
  // round's delivery to it. Every delivery is appended to `ready` of the receiving leader.
  auto leaders_all_gather = [&](auto carried, auto first_deps, std::vector<StepList>& ready) {
    StepList round;
    for (int k = 0; k + 1 < g_count; ++k) {
      StepList sent(G);
      for (int i = 0; i < g_count; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const auto [origins, part_set] = carried(mod(i - k, g_count));
        sent[ui] = b.add(leader[ui], leader[next(i)], origins, part_set);
        if (k == 0) {
          first_deps(ui);
        } else {
          b.dep(round[prev(i)]);
        }
        ready[next(i)].push_back(sent[ui]);
      }
      round = std::move(sent);
    }
  };
  // Ring reduce-scatter among the leaders: in round k leader i sends leader i+1 chunk i-k-1 summed over groups
  // i-k..i (its group's sum needs its members' vectors). Returns, per leader, the last round's delivery to it.
  auto leaders_reduce_scatter = [&](auto chunk) {
    std::vector<StepList> last(G);
    StepList round;
    for (int k = 0; k + 1 < g_count; ++k) {
      StepList sent(G);
      for (int i = 0; i < g_count; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        sent[ui] = b.add(leader[ui], leader[next(i)], union_of(i - k, k + 1), chunk(mod(i - k - 1, g_count)));
        b.deps(into[ui]);
        if (k > 0) b.dep(round[prev(i)]);
      }
      round = std::move(sent);
    }
    if (g_count > 1) {
      for (int i = 0; i < g_count; ++i) last[next(i)].push_back(round[static_cast<std::size_t>(i)]);
    }
    return last;
  };

  switch (spec.kind) {
    case CollectiveKind::broadcast: {
      std::vector<StepList> got(G);
      for (std::size_t g = 0; g < G; ++g) {
        if (static_cast<int>(g) != root_group) {
          got[g].push_back(b.add(spec.root, leader[g], b.single(spec.root), b.all_parts()));
        }
      }
      members_down(b.single(spec.root), false, got);
      break;
    }
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      members_up();
      for (std::size_t g = 0; g < G; ++g) {
        if (static_cast<int>(g) == root_group) continue;
        b.add(leader[g], spec.root, group_set[g], b.all_parts());
        b.deps(into[g]);
      }
      break;
    case CollectiveKind::all_gather: {
      // Ring all-gather among the leaders: in round k leader i sends leader i+1 group i-k's pieces.
      members_up();
      std::vector<StepList> ready = into;
      leaders_all_gather([&](int c) { return std::pair{group_set[static_cast<std::size_t>(c)], b.all_parts()}; },
                         [&](std::size_t i) { b.deps(into[i]); }, ready);
      members_down(b.all_ranks(), false, ready);
      break;
    }
    case CollectiveKind::all_reduce: {
      // Ring all-reduce among the leaders over G parts: reduce-scatter, then an all-gather of the complete parts
      // (leader i's part i is complete once the reduce-scatter's last round and its members arrived).
      members_up();
      std::vector<StepList> ready = into;
      const std::vector<StepList> last = leaders_reduce_scatter([&](int c) { return b.single(c); });
      for (std::size_t g = 0; g < G; ++g) ready[g].insert(ready[g].end(), last[g].begin(), last[g].end());
      leaders_all_gather([&](int c) { return std::pair{b.all_ranks(), b.single(c)}; },
                         [&](std::size_t i) {
                           b.deps(into[i]);
                           b.deps(last[i]);
                         },
                         ready);
      members_down(b.all_ranks(), false, ready);
      break;
    }
    case CollectiveKind::reduce_scatter: {
      members_up();
      std::vector<StepList> ready = into;
      const std::vector<StepList> last =
          leaders_reduce_scatter([&](int c) { return group_set[static_cast<std::size_t>(c)]; });
      for (std::size_t g = 0; g < G; ++g) ready[g].insert(ready[g].end(), last[g].begin(), last[g].end());
      members_down(b.all_ranks(), true, ready);
      break;
    }
    case CollectiveKind::all_to_all:
      throw InternalError("hierarchical: all-to-all is not supported");
  }
  return b.finish();
}

}  // namespace

Schedule expand(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  require(p >= 1, "collective with no ranks");
  require(spec.root >= 0 && spec.root < p, "collective root out of range");
  for (Bytes piece : spec.pieces) require(piece.count >= 0, "collective piece of negative size");
  if (!supports(spec.kind, spec.algorithm)) {
    throw InternalError("collective algorithm " + std::string(to_string(spec.algorithm)) + " does not support " +
                        std::string(to_string(spec.kind)));
  }
  if (is_reduction(spec.kind)) {
    for (Bytes piece : spec.pieces) {
      require(piece == spec.pieces.front(), "reduction whose ranks contribute vectors of different sizes");
    }
  }
  require(spec.groups.empty() || static_cast<int>(spec.groups.size()) == p, "collective groups: one per rank");
  switch (spec.algorithm) {
    case Algorithm::direct: return expand_direct(spec);
    case Algorithm::ring: return expand_ring(spec);
    case Algorithm::tree: return expand_tree(spec);
    case Algorithm::recursive_doubling: return expand_recursive_doubling(spec);
    case Algorithm::hierarchical: return expand_hierarchical(spec);
  }
  throw InternalError("expand: unknown algorithm");
}

}  // namespace shardsim::collective
