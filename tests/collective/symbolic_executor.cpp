// The symbolic executor (symbolic_executor.hpp). Each check returns the first problem it finds, or "".

#include "symbolic_executor.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <vector>

#include "schedule_helpers.hpp"

namespace collective_test {

namespace {

using shardsim::collective::CollectiveKind;
using shardsim::collective::CollectiveSpec;
using shardsim::collective::Schedule;

// One run of the symbolic executor: the schedule, its sizes, what each step carries, who depends on whom, and the
// checks, in the order verify() makes them.
struct Run {
  const CollectiveSpec& spec;
  const Schedule& s;
  int p = spec.ranks();
  int parts = s.parts;
  std::size_t n = s.steps.size();
  std::size_t up = static_cast<std::size_t>(p);
  std::size_t uparts = static_cast<std::size_t>(parts);
  std::vector<std::vector<int>> origins = std::vector<std::vector<int>>(n);  // per step, as a list
  std::vector<std::vector<int>> carried = std::vector<std::vector<int>>(n);  // per step, its parts as a list
  std::vector<std::vector<std::uint64_t>> before{};  // per step, the steps it depends on transitively (bits)
  std::vector<std::vector<std::size_t>> into{};      // per rank, the steps delivered to it

  std::uint64_t everyone = p == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << p) - 1;  // every rank, as bits

  bool depends(std::size_t k, std::size_t j) const { return (before[k][j / 64] >> (j % 64)) & 1; }
  bool is_root(int r) const { return r == spec.root; }

  std::string check_steps();
  void index_dependencies();
  std::string check_sums() const;
  std::string check_pieces() const;
};

std::uint64_t mask_of(const std::vector<int>& ranks) {
  std::uint64_t m = 0;
  for (int r : ranks) m |= std::uint64_t{1} << r;
  return m;
}

// Structure: the compressed arrays, each step's ranks, dependencies on earlier steps only, content sets that are
// sorted, disjoint and in range; and each step's bytes, which must follow from what it carries. Fills
// origins and carried.
std::string Run::check_steps() {
  std::ostringstream err;
  if (s.dep_begin.size() != n + 1 || s.dep_begin.front() != 0 || s.dep_begin.back() != s.deps.size()) {
    return "malformed dep_begin";
  }
  if (s.set_begin.empty() || s.set_begin.front() != 0 || s.set_begin.back() != s.set_ranges.size()) {
    return "malformed set_begin";
  }
  const std::size_t sets = s.set_begin.size() - 1;
  auto members = [&](std::uint32_t id, int limit, std::vector<int>& out) {
    out.clear();
    int last_end = -1;
    for (const auto& r : s.set(id)) {
      if (r.count <= 0 || r.first < 0 || r.first + r.count > limit || r.first <= last_end) return false;
      last_end = r.first + r.count;
      for (int i = r.first; i < r.first + r.count; ++i) out.push_back(i);
    }
    return !out.empty();
  };
  for (std::size_t k = 0; k < n; ++k) {
    const auto& step = s.steps[k];
    if (step.src < 0 || step.src >= p || step.dst < 0 || step.dst >= p || step.src == step.dst) {
      err << "step " << k << ": bad ranks " << step.src << " -> " << step.dst;
      return err.str();
    }
    if (s.dep_begin[k] > s.dep_begin[k + 1]) return "dep_begin not increasing";
    for (std::uint32_t d : s.deps_of(k)) {
      if (d >= k) {
        err << "step " << k << " depends on a later step " << d;
        return err.str();
      }
    }
    if (step.origins >= sets || step.parts >= sets || !members(step.origins, p, origins[k]) ||
        !members(step.parts, parts, carried[k])) {
      err << "step " << k << ": bad content sets";
      return err.str();
    }
    if (is_reduction(spec.kind) && std::find(origins[k].begin(), origins[k].end(), step.src) == origins[k].end()) {
      // A rank always adds its own vector before passing a partial sum on (or passes on a complete one).
      err << "step " << k << ": a partial sum without its sender's vector";
      return err.str();
    }
    // Bytes follow from the content.
    std::int64_t bytes = 0;
    for (int o : origins[k]) {
      for (int i : carried[k]) {
        const std::int64_t m = spec.pieces[static_cast<std::size_t>(o)].count;
        if (is_reduction(spec.kind)) {
          bytes += o == origins[k].front() ? part(m, parts, i) : 0;
        } else if (spec.kind == CollectiveKind::all_to_all) {
          bytes += m;
        } else {
          bytes += part(m, parts, i);
        }
      }
    }
    if (step.bytes.count != bytes) {
      err << "step " << k << " carries " << bytes << " B but says " << step.bytes.count;
      return err.str();
    }
  }
  return "";
}

// Transitive dependencies, as bit sets, and the deliveries to each rank.
void Run::index_dependencies() {
  const std::size_t words = (n + 63) / 64;
  before.assign(n, std::vector<std::uint64_t>(words, 0));
  for (std::size_t k = 0; k < n; ++k) {
    for (std::uint32_t d : s.deps_of(k)) {
      for (std::size_t w = 0; w < words; ++w) before[k][w] |= before[d][w];
      before[k][d / 64] |= std::uint64_t{1} << (d % 64);
    }
  }
  into.assign(up, {});
  for (std::size_t k = 0; k < n; ++k) into[static_cast<std::size_t>(s.steps[k].dst)].push_back(k);
}

// Reductions: every step's partial sums, from its dependencies only, and every rank's result.
std::string Run::check_sums() const {
  std::ostringstream err;
  // Per rank and part, the contributors of the partial sum it holds. Receiving adds a disjoint partial sum, or
  // replaces the held one by a more complete one (a finished block); anything else counts someone twice.
  using State = std::vector<std::uint64_t>;
  auto receive = [&](State& st, std::size_t j) {
    const std::uint64_t c = mask_of(origins[j]);
    for (int i : carried[j]) {
      std::uint64_t& held = st[static_cast<std::size_t>(i)];
      if ((held & c) == 0) {
        held |= c;
      } else if ((held & ~c) == 0) {
        held = c;
      } else {
        err << "step " << j << " adds contributors rank " << s.steps[j].dst << " already has in part " << i;
        return false;
      }
    }
    return true;
  };
  for (std::size_t k = 0; k < n; ++k) {
    const int src = s.steps[k].src;
    State st(uparts, std::uint64_t{1} << src);
    for (std::size_t j : into[static_cast<std::size_t>(src)]) {
      if (j < k && depends(k, j) && !receive(st, j)) return err.str();
    }
    for (int i : carried[k]) {
      if (st[static_cast<std::size_t>(i)] != mask_of(origins[k])) {
        err << "step " << k << " (" << src << " -> " << s.steps[k].dst << ") sends part " << i
            << " with contributors it does not hold from its dependencies";
        return err.str();
      }
    }
  }
  for (int r = 0; r < p; ++r) {
    State st(uparts, std::uint64_t{1} << r);
    for (std::size_t j : into[static_cast<std::size_t>(r)]) {
      if (!receive(st, j)) return err.str();
    }
    for (int i = 0; i < parts; ++i) {
      const bool promised = spec.kind == CollectiveKind::all_reduce ||
                            (spec.kind == CollectiveKind::reduce && is_root(r)) ||
                            (spec.kind == CollectiveKind::reduce_scatter && i == r);
      if (promised && st[static_cast<std::size_t>(i)] != everyone) {
        err << "rank " << r << " ends without the complete part " << i;
        return err.str();
      }
    }
    // Its share of the result, in bytes.
    std::int64_t promised_bytes = 0;
    const std::int64_t v = spec.pieces.front().count;
    if (spec.kind == CollectiveKind::all_reduce || (spec.kind == CollectiveKind::reduce && is_root(r))) {
      promised_bytes = v;
    } else if (spec.kind == CollectiveKind::reduce_scatter) {
      promised_bytes = part(v, p, r);
    }
    if (shardsim::collective::result_bytes(spec, r).count != promised_bytes) {
      err << "result_bytes of rank " << r;
      return err.str();
    }
  }
  return "";
}

// Gather-type kinds and all-to-all: every step's pieces, from its dependencies only, and every rank's result.
std::string Run::check_pieces() const {
  std::ostringstream err;
  // Per rank, the atoms (origin, part) it holds: part i of rank o's piece, or (all-to-all) o's piece for i.
  using State = std::vector<char>;
  const bool a2a = spec.kind == CollectiveKind::all_to_all;
  auto initial = [&](int r) {
    State st(up * uparts, 0);
    for (int i = 0; i < parts; ++i) st[static_cast<std::size_t>(r) * uparts + static_cast<std::size_t>(i)] = 1;
    return st;
  };
  auto receive = [&](State& st, std::size_t j) {
    for (int o : origins[j]) {
      for (int i : carried[j]) st[static_cast<std::size_t>(o) * uparts + static_cast<std::size_t>(i)] = 1;
    }
  };
  for (std::size_t k = 0; k < n; ++k) {
    const int src = s.steps[k].src;
    State st = initial(src);
    for (std::size_t j : into[static_cast<std::size_t>(src)]) {
      if (j < k && depends(k, j)) receive(st, j);
    }
    for (int o : origins[k]) {
      for (int i : carried[k]) {
        if (!st[static_cast<std::size_t>(o) * uparts + static_cast<std::size_t>(i)]) {
          err << "step " << k << " (" << src << " -> " << s.steps[k].dst << ") sends part " << i << " of rank "
              << o << "'s piece, which it does not hold from its dependencies";
          return err.str();
        }
      }
    }
  }
  for (int r = 0; r < p; ++r) {
    State st = initial(r);
    for (std::size_t j : into[static_cast<std::size_t>(r)]) receive(st, j);
    std::int64_t promised_bytes = 0;
    for (int o = 0; o < p; ++o) {
      for (int i = 0; i < parts; ++i) {
        const bool has = st[static_cast<std::size_t>(o) * uparts + static_cast<std::size_t>(i)];
        const std::int64_t m = spec.pieces[static_cast<std::size_t>(o)].count;
        bool promised = false;
        switch (spec.kind) {
          case CollectiveKind::broadcast: promised = is_root(o); break;
          case CollectiveKind::gather: promised = is_root(r); break;
          case CollectiveKind::all_gather: promised = true; break;
          case CollectiveKind::all_to_all: promised = i == r; break;
          default: break;
        }
        if (promised && !has) {
          err << "rank " << r << " ends without part " << i << " of rank " << o << "'s piece";
          return err.str();
        }
        if (a2a && has && o != r && i != r) {
          err << "rank " << r << " received rank " << o << "'s piece for rank " << i;
          return err.str();
        }
        if (promised) promised_bytes += a2a ? m : part(m, parts, i);
      }
    }
    if (shardsim::collective::result_bytes(spec, r).count != promised_bytes) {
      err << "result_bytes of rank " << r << ": " << shardsim::collective::result_bytes(spec, r).count
          << " instead of " << promised_bytes;
      return err.str();
    }
  }
  return "";
}

}  // namespace

std::string verify(const CollectiveSpec& spec, const Schedule& s) {
  Run run{spec, s};
  const int p = run.p;
  const int parts = run.parts;
  if (parts < 1) return "no parts";
  if (spec.kind == CollectiveKind::reduce_scatter && parts != p) return "reduce-scatter needs one part per rank";
  if (spec.kind == CollectiveKind::all_to_all && parts != p) return "all-to-all needs one part per receiver";

  if (std::string problem = run.check_steps(); !problem.empty()) return problem;
  run.index_dependencies();
  if (std::string problem = is_reduction(spec.kind) ? run.check_sums() : run.check_pieces(); !problem.empty()) {
    return problem;
  }
  std::int64_t total = 0;
  for (int r = 0; r < p; ++r) total += shardsim::collective::result_bytes(spec, r).count;
  if (shardsim::collective::payload_delivered(spec).count != total) return "payload_delivered != sum of results";
  return "";
}

}  // namespace collective_test
