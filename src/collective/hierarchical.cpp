// The hierarchical algorithm (schedule.hpp): members send to their group's leader, the leaders run the collective
// among themselves (direct for the rooted kinds, a ring for the others), and each leader sends its members what
// they end with. Groups of one rank have no member steps.

#include "builder.hpp"
#include "expansions.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace shardsim::collective::detail {

namespace {

// Groups in the order of their lowest ranks, members in rank order, and each group's leader: its lowest rank, or
// the root for the group that holds it (rooted kinds).
struct Groups {
  std::vector<std::vector<int>> members;
  std::vector<int> leader;
  int root_group = -1;  // rooted kinds: the group the root leads

  int count() const { return static_cast<int>(members.size()); }
};

Groups groups_of(const CollectiveSpec& spec) {
  Groups out;
  std::map<int, int> index;
  for (int r = 0; r < spec.ranks(); ++r) {
    const int id = spec.groups.empty() ? 0 : spec.groups[static_cast<std::size_t>(r)];
    auto [it, fresh] = index.try_emplace(id, static_cast<int>(out.members.size()));
    if (fresh) out.members.emplace_back();
    out.members[static_cast<std::size_t>(it->second)].push_back(r);
  }
  out.leader.resize(out.members.size());
  for (std::size_t g = 0; g < out.members.size(); ++g) {
    const std::vector<int>& m = out.members[g];
    out.leader[g] = m.front();
    if (is_rooted(spec.kind) && std::find(m.begin(), m.end(), spec.root) != m.end()) {
      out.leader[g] = spec.root;
      out.root_group = static_cast<int>(g);
    }
  }
  return out;
}

// The three stages (members up, leaders among themselves, members down) over one Builder. `into_[g]` collects the
// steps delivered to leader g by its members.
class Hierarchy {
 public:
  Hierarchy(const CollectiveSpec& spec, Groups groups)
      : spec_(spec),
        g_(std::move(groups)),
        n_(static_cast<std::size_t>(g_.count())),
        // All-reduce cuts V into one chunk per group for the leaders' ring; the other kinds cut as usual.
        b_(spec, spec.kind == CollectiveKind::all_reduce ? std::max(1, g_.count()) : default_parts(spec)),
        into_(n_) {
    group_set_.resize(n_);
    for (std::size_t g = 0; g < n_; ++g) group_set_[g] = b_.set_of(g_.members[g]);
  }

  Schedule expand() {
    switch (spec_.kind) {
      case CollectiveKind::broadcast: broadcast(); break;
      case CollectiveKind::gather:
      case CollectiveKind::reduce: gather(); break;
      case CollectiveKind::all_gather: all_gather(); break;
      case CollectiveKind::all_reduce: all_reduce(); break;
      case CollectiveKind::reduce_scatter: reduce_scatter(); break;
      case CollectiveKind::all_to_all: throw InternalError("hierarchical: all-to-all is not supported");
    }
    return b_.finish();
  }

 private:
  std::size_t next(int i) const { return static_cast<std::size_t>(mod(i + 1, g_.count())); }
  std::size_t prev(int i) const { return static_cast<std::size_t>(mod(i - 1, g_.count())); }

  // The ranks of groups first .. first+count-1 (mod G).
  SetId union_of(int first, int count) {
    std::vector<int> ranks;
    for (int j = 0; j < count; ++j) {
      const auto& m = g_.members[static_cast<std::size_t>(mod(first + j, g_.count()))];
      ranks.insert(ranks.end(), m.begin(), m.end());
    }
    std::sort(ranks.begin(), ranks.end());
    return b_.set_of(ranks);
  }

  // Members to their leader: their piece or their vector.
  void members_up() {
    for (std::size_t g = 0; g < n_; ++g) {
      for (int m : g_.members[g]) {
        if (m != g_.leader[g]) into_[g].push_back(b_.add(m, g_.leader[g], b_.single(m), b_.all_parts()));
      }
    }
  }

  // Leaders to their members, once `ready[g]` are delivered: `origins` and every part (or each member's block).
  void members_down(SetId origins, bool own_block, const std::vector<StepList>& ready) {
    for (std::size_t g = 0; g < n_; ++g) {
      for (int m : g_.members[g]) {
        if (m == g_.leader[g]) continue;
        b_.add(g_.leader[g], m, origins, own_block ? b_.single(m) : b_.all_parts());
        b_.deps(ready[g]);
      }
    }
  }

  // Ring all-gather among the leaders: in round k leader i forwards to leader i+1 what `carried(i - k)` names (the
  // part that started at leader i - k); its first round waits for `first_deps(i)`, later rounds for the previous
  // round's delivery to it. Every delivery is appended to `ready` of the receiving leader.
  template <class Carried, class FirstDeps>
  void leaders_all_gather(Carried carried, FirstDeps first_deps, std::vector<StepList>& ready) {
    const int g_count = g_.count();
    StepList round;
    for (int k = 0; k + 1 < g_count; ++k) {
      StepList sent(n_);
      for (int i = 0; i < g_count; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const auto [origins, part_set] = carried(mod(i - k, g_count));
        sent[ui] = b_.add(g_.leader[ui], g_.leader[next(i)], origins, part_set);
        if (k == 0) {
          first_deps(ui);
        } else {
          b_.dep(round[prev(i)]);
        }
        ready[next(i)].push_back(sent[ui]);
      }
      round = std::move(sent);
    }
  }

  // Ring reduce-scatter among the leaders: in round k leader i sends leader i+1 chunk i-k-1 summed over groups
  // i-k..i (its group's sum needs its members' vectors). Returns, per leader, the last round's delivery to it.
  template <class Chunk>
  std::vector<StepList> leaders_reduce_scatter(Chunk chunk) {
    const int g_count = g_.count();
    std::vector<StepList> last(n_);
    StepList round;
    for (int k = 0; k + 1 < g_count; ++k) {
      StepList sent(n_);
      for (int i = 0; i < g_count; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        sent[ui] = b_.add(g_.leader[ui], g_.leader[next(i)], union_of(i - k, k + 1), chunk(mod(i - k - 1, g_count)));
        b_.deps(into_[ui]);
        if (k > 0) b_.dep(round[prev(i)]);
      }
      round = std::move(sent);
    }
    if (g_count > 1) {
      for (int i = 0; i < g_count; ++i) last[next(i)].push_back(round[static_cast<std::size_t>(i)]);
    }
    return last;
  }

  // The root to the other leaders, directly; then every leader to its members.
  void broadcast() {
    std::vector<StepList> got(n_);
    for (std::size_t g = 0; g < n_; ++g) {
      if (static_cast<int>(g) != g_.root_group) {
        got[g].push_back(b_.add(spec_.root, g_.leader[g], b_.single(spec_.root), b_.all_parts()));
      }
    }
    members_down(b_.single(spec_.root), false, got);
  }

  // Gather and reduce: members to their leader, then the other leaders to the root, directly.
  void gather() {
    members_up();
    for (std::size_t g = 0; g < n_; ++g) {
      if (static_cast<int>(g) == g_.root_group) continue;
      b_.add(g_.leader[g], spec_.root, group_set_[g], b_.all_parts());
      b_.deps(into_[g]);
    }
  }

  // Ring all-gather among the leaders: in round k leader i sends leader i+1 group i-k's pieces.
  void all_gather() {
    members_up();
    std::vector<StepList> ready = into_;
    leaders_all_gather([&](int c) { return std::pair{group_set_[static_cast<std::size_t>(c)], b_.all_parts()}; },
                       [&](std::size_t i) { b_.deps(into_[i]); }, ready);
    members_down(b_.all_ranks(), false, ready);
  }

  // Ring all-reduce among the leaders over G parts: reduce-scatter, then an all-gather of the complete parts
  // (leader i's part i is complete once the reduce-scatter's last round and its members arrived).
  void all_reduce() {
    members_up();
    std::vector<StepList> ready = into_;
    const std::vector<StepList> last = leaders_reduce_scatter([&](int c) { return b_.single(c); });
    for (std::size_t g = 0; g < n_; ++g) ready[g].insert(ready[g].end(), last[g].begin(), last[g].end());
    leaders_all_gather([&](int c) { return std::pair{b_.all_ranks(), b_.single(c)}; },
                       [&](std::size_t i) {
                         b_.deps(into_[i]);
                         b_.deps(last[i]);
                       },
                       ready);
    members_down(b_.all_ranks(), false, ready);
  }

  // Ring reduce-scatter among the leaders where group g's chunk is its members' blocks; each member gets its block.
  void reduce_scatter() {
    members_up();
    std::vector<StepList> ready = into_;
    const std::vector<StepList> last =
        leaders_reduce_scatter([&](int c) { return group_set_[static_cast<std::size_t>(c)]; });
    for (std::size_t g = 0; g < n_; ++g) ready[g].insert(ready[g].end(), last[g].begin(), last[g].end());
    members_down(b_.all_ranks(), true, ready);
  }

  const CollectiveSpec& spec_;
  Groups g_;
  std::size_t n_;  // number of groups, G
  Builder b_;
  std::vector<SetId> group_set_;  // per group, the set of its ranks
  std::vector<StepList> into_;    // per group, the deliveries to its leader from its members
};

}  // namespace

Schedule expand_hierarchical(const CollectiveSpec& spec) { return Hierarchy(spec, groups_of(spec)).expand(); }

}  // namespace shardsim::collective::detail
