// MaxMinSolver::solve and its parts: what changed (D and T), rounds of progressive filling and verification, the
// rates committed, the bound checks on the resources that are not tight, and merging classes. The header explains
// why the result is the max-min allocation.
#include <algorithm>
#include <bit>
#include <cmath>

#include "maxmin_order.hpp"
#include "shardsim/net/maxmin_solver.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::net {
namespace {

// Relative slack when checking that a resource is full, over capacity, or carries a class of higher level: rates
// are doubles.
constexpr double kTolerance = 1e-9;
// Rounds of the incremental re-solve before solving the whole component at once.
constexpr int kMaxRounds = 8;
// A tight resource whose load falls below this fraction of its capacity is no longer tight.
constexpr double kUntightenBelow = 0.5;

}  // namespace

void MaxMinSolver::solve(Time now) {
  ++solves_;
  ++solve_id_;
  force_component_ = false;
  dirty_.clear();
  set_resources_.clear();
  timers_.clear();
  gather_changes(now);

  // Solve on the tight resources; while that overloads another resource, make it tight and solve again.
  for (;;) {
    solve_rates(now);
    commit(now);
    if (check_bounds()) break;
  }
  // Resources of T that bind no one and are less than half full are no longer tight (before merging: classes
  // whose members differ only in those resources can then merge).
  for (const ResourceId r : set_resources_) {
    const Resource& q = res(r);
    if (q.tight && q.bottlenecked.empty() && q.load < kUntightenBelow * q.capacity) untighten(r);
  }
  merge_classes(now);
  for (const ClassId k : dirty_) {
    const std::uint32_t members = classes_[k].members;
    if (members > 0 && members != kFreed) note_timer(k, now);
  }
}

void MaxMinSolver::gather_changes(Time now) {
  // Classes that lost members: freed if empty, else re-solved; tight resources whose load fell.
  for (const ClassId k : changed_classes_) {
    if (classes_[k].members == 0) {
      free_class(k);
    } else {
      add_dirty(k);
    }
  }
  changed_classes_.clear();
  for (const ResourceId r : touched_) {
    if (res(r).tight) add_resource_to_set(r);
  }
  touched_.clear();
  // New flows: every flow needs a tight resource (its narrowest, if it has none). (tighten() skips flows with no
  // class yet, so making them all tight first leaves the same state as interleaving it with the joins below.)
  new_flows_.swap(started_);
  started_.clear();
  for (const FlowId f : new_flows_) {
    bool tight = false;
    ResourceId narrowest = hops(f).front().resource;
    for (const Hop& h : hops(f)) {
      const Resource& q = res(h.resource);
      tight = tight || q.tight;
      if (q.capacity < res(narrowest).capacity) narrowest = h.resource;
    }
    if (!tight) tighten(narrowest);
  }
  // Then new flows of one weight over the same tight resources join one new class, in the order they came: the
  // filling treats them alike (it sees only tight resources), so a class of their own each would get one rate and
  // one bottleneck, and be merged. A million flows that start at one instant over a thousand distinct tight sets
  // cost a thousand classes, not a million.
  group_new_flows(now);
  // A first guess that usually saves a round: the classes held back by a resource that a flow joined or left.
  const std::size_t first = set_resources_.size();
  for (std::size_t j = 0; j < first; ++j) {
    for (const ClassId k : res(set_resources_[j]).bottlenecked) {
      if (classes_[k].in_set != solve_id_) add_dirty(k);
    }
  }
}

void MaxMinSolver::group_new_flows(Time now) {
  // Open addressing on a hash of (weight, sorted tight resources); a slot holds a class made by this call, whose
  // key is kept in group_keys_ from group_start_[slot's group].
  const std::size_t want = 2 * new_flows_.size() + 16;
  if (group_slots_.size() < want) group_slots_.resize(std::bit_ceil(want));
  std::fill(group_slots_.begin(), group_slots_.end(), kNoClass);
  group_keys_.clear();
  group_start_.clear();
  group_class_.clear();
  const std::size_t mask = group_slots_.size() - 1;
  for (const FlowId f : new_flows_) {
    const Flow& flow = flows_[f];
    key_.clear();
    for (const Hop& h : hops(f)) {
      if (res(h.resource).tight) key_.push_back(h.resource);
    }
    std::sort(key_.begin(), key_.end());
    std::uint64_t hash = std::bit_cast<std::uint64_t>(flow.weight) * 0x9e3779b97f4a7c15ull;
    for (const ResourceId r : key_) hash = (hash ^ static_cast<std::uint64_t>(r)) * 0x100000001b3ull + (hash >> 29);
    std::size_t slot = static_cast<std::size_t>(hash) & mask;
    ClassId k = kNoClass;
    for (;; slot = (slot + 1) & mask) {
      const std::uint32_t g = group_slots_[slot];
      if (g == kNoClass) break;
      const ClassId candidate = group_class_[g];
      const auto begin = group_keys_.begin() + static_cast<std::ptrdiff_t>(group_start_[g]);
      const auto end = g + 1 < group_start_.size() ? group_keys_.begin() + static_cast<std::ptrdiff_t>(group_start_[g + 1])
                                                   : group_keys_.end();
      if (classes_[candidate].weight == flow.weight && std::equal(begin, end, key_.begin(), key_.end())) {
        k = candidate;
        break;
      }
    }
    if (k == kNoClass) {
      k = new_class(now, flow.weight);
      group_slots_[slot] = static_cast<std::uint32_t>(group_class_.size());
      group_start_.push_back(group_keys_.size());
      group_keys_.insert(group_keys_.end(), key_.begin(), key_.end());
      group_class_.push_back(k);
    }
    join(f, k, flow.target, now);
  }
  for (const ClassId k : group_class_) add_dirty(k);
}

void MaxMinSolver::add_resource_to_set(ResourceId r) {
  Resource& q = res(r);
  if (q.in_set == solve_id_) return;
  q.in_set = solve_id_;
  set_resources_.push_back(r);
}

void MaxMinSolver::add_dirty(ClassId k) {
  Class& c = classes_[k];
  c.in_set = solve_id_;
  c.ref_rate = c.rate;
  dirty_.push_back(k);
  for (const Use& u : c.uses) add_resource_to_set(u.resource);
}

void MaxMinSolver::solve_rates(Time now) {
  for (int round = 1;; ++round) {
    if (round > kMaxRounds || force_component_) {
      // The whole component: every class reachable from T through tight resources.
      ++component_solves_;
      force_component_ = false;
      for (std::size_t j = 0; j < set_resources_.size(); ++j) {
        const Resource& q = res(set_resources_[j]);
        for (std::size_t u = 0; u < q.users.size(); ++u) {
          const ClassId k = q.users[u].cls;
          if (classes_[k].in_set != solve_id_) add_dirty(k);
        }
      }
      fill(now);
      return;
    }
    fill(now);
    if (verify()) return;
  }
}

// ---- Progressive filling ------------------------------------------------------------------------------------

bool MaxMinSolver::tied(const Class& c, double level) const {
  if (c.bottleneck < 0) return false;
  const Resource& b = res(c.bottleneck);
  return b.in_set == solve_id_ && b.unfixed > 0 && std::max(b.left, 0.0) / b.unfixed_weight <= level * (1 + kTolerance);
}

std::size_t MaxMinSolver::prepare_fill() {
  // Capacity the clean classes leave on each resource of T (its load less its dirty classes' part; all of it if
  // every class on it is dirty), and the members of dirty classes that share it (how many, and their weight).
  for (const ResourceId r : set_resources_) {
    Resource& q = res(r);
    q.left = 0;
    q.unfixed = 0;
    q.unfixed_weight = 0;
    q.dirty_users = 0;
  }
  for (const ClassId k : dirty_) {
    Class& c = classes_[k];
    c.fixed = false;
    for (const Use& u : c.uses) {
      Resource& q = res(u.resource);
      q.left += c.rate * u.count;
      q.unfixed += u.count;
      q.unfixed_weight += c.weight * u.count;
      ++q.dirty_users;
    }
  }
  for (const ResourceId r : set_resources_) {
    Resource& q = res(r);
    q.left = q.dirty_users == q.users.size() ? q.capacity : q.capacity - (q.load - q.left);
  }
  return dirty_.size();
}

void MaxMinSolver::fill(Time now) {
  std::size_t unfixed = prepare_fill();
  // The heap holds (fair share, resource) with the smallest share on top; an entry is stale once its resource's
  // version moved on. `level` only rises: a resource's share cannot be below the level already reached (it was
  // not full), so a smaller one is rounding and is raised to it.
  heap_.clear();
  for (const ResourceId r : set_resources_) {
    Resource& q = res(r);
    ++q.version;
    if (q.unfixed > 0) heap_.push_back(HeapEntry{std::max(q.left, 0.0) / q.unfixed_weight, r, q.version});
  }
  std::make_heap(heap_.begin(), heap_.end(), maxmin::share_after);
  double level = 0;
  while (unfixed > 0) {
    require(!heap_.empty(), "MaxMinSolver: progressive filling ran out of resources");
    std::pop_heap(heap_.begin(), heap_.end(), maxmin::share_after);
    const HeapEntry top = heap_.back();
    heap_.pop_back();
    const Resource& full = res(top.resource);
    if (top.version != full.version || full.unfixed == 0) continue;
    level = std::max(level, top.share);
    unfixed -= fix_users(top.resource, level, now);
  }
}

std::size_t MaxMinSolver::fix_users(ResourceId r, double level, Time now) {
  Resource& full = res(r);
  full.unfixed = 0;
  full.unfixed_weight = 0;
  ++full.version;
  // Fix its dirty classes at `level` (a class only some of whose members use it is split first, those members
  // forming a new class, unless it is tied). The other resources they use lose that much per member, and are
  // pushed again once.
  const std::uint64_t round = ++stamp_;
  std::size_t fixed = 0;
  changed_.clear();
  for (std::size_t i = 0; i < full.users.size();) {
    ClassId k = full.users[i].cls;
    ResourceId at = r;  // the bottleneck it is fixed with
    {
      const Class& c = classes_[k];
      if (c.in_set != solve_id_ || c.fixed) {
        ++i;
        continue;
      }
      if (c.uses[full.users[i].slot].count == c.members) {
        ++fixed;
        ++i;
      } else if (tied(c, level)) {
        // Only some members use this resource, but the rest would be fixed at this same level by the class's
        // bottleneck (a tie): the class stays whole, and keeps its bottleneck, which all its members use.
        at = c.bottleneck;
        ++fixed;
        ++i;
      } else {
        // The parent leaves this resource's users (another entry takes slot i, so i stays); the part joins at
        // the end, already fixed.
        k = split(k, r, now);
      }
    }
    Class& c = classes_[k];
    c.fixed = true;
    c.new_level = level;
    c.new_rate = level * c.weight;
    set_bottleneck(k, at);
    for (const Use& u : c.uses) {
      if (u.resource == r) continue;
      Resource& other = res(u.resource);
      other.left -= c.new_rate * u.count;
      other.unfixed -= u.count;
      other.unfixed_weight -= c.weight * u.count;
      if (other.round != round) {
        other.round = round;
        changed_.push_back(u.resource);
      }
    }
  }
  for (const ResourceId o : changed_) {
    Resource& other = res(o);
    ++other.version;
    if (other.unfixed > 0) {
      heap_.push_back(HeapEntry{std::max(other.left, 0.0) / other.unfixed_weight, o, other.version});
      std::push_heap(heap_.begin(), heap_.end(), maxmin::share_after);
    }
  }
  return fixed;
}

MaxMinSolver::ClassId MaxMinSolver::split(ClassId k, ResourceId r, Time now) {
  const ClassId part = new_class(now, classes_[k].weight);  // may move classes_
  ++splits_;
  {
    Class& c = classes_[part];
    c.in_set = solve_id_;
    c.ref_rate = classes_[k].ref_rate;  // its members' rate before this solve
    dirty_.push_back(part);             // its resources are already in T: they are the parent's
  }
  for (const Entry& e : res(r).flows) {
    if (e.cls != k) continue;
    const FlowId f = e.flow;  // leave() and join() rewrite this entry
    const double remaining = leave(f, now);
    join(f, part, remaining, now);
  }
  return part;
}

// ---- Verification, commit, bounds ---------------------------------------------------------------------------

bool MaxMinSolver::verify() {
  const std::uint64_t pass = ++stamp_;
  // The change each resource of T sees: its load moves by the dirty classes' new rates less their old ones; and
  // the highest new level of a dirty class on it.
  for (const ResourceId r : set_resources_) {
    Resource& q = res(r);
    q.delta = 0;
    q.dirty_peak = 0;
  }
  for (const ClassId k : dirty_) {
    const Class& c = classes_[k];
    for (const Use& u : c.uses) {
      Resource& q = res(u.resource);
      q.delta += (c.new_rate - c.rate) * u.count;
      q.dirty_peak = std::max(q.dirty_peak, c.new_level);
    }
  }
  const auto full = [](const Resource& q) { return q.load + q.delta >= q.capacity * (1 - kTolerance); };
  bool grew = false;

  // A dirty class's bottleneck (where filling fixed it: full) must carry no class of higher level. Dirty classes
  // there are not higher (filling fixed them at or below its level); clean ones that are join D. The dirty
  // classes a resource is the bottleneck of were all fixed at the same level, so the first of them stands for all.
  const std::size_t dirty = dirty_.size();
  for (std::size_t i = 0; i < dirty; ++i) {
    const Class& c = classes_[dirty_[i]];
    Resource& q = res(c.bottleneck);
    if (q.checked == pass) continue;
    q.checked = pass;
    double clean_peak = 0;
    for (const User& u : q.users) {
      const Class& other = classes_[u.cls];
      if (other.in_set != solve_id_) clean_peak = std::max(clean_peak, other.level);
    }
    const double level = c.new_level;
    if (full(q) && level >= std::max(clean_peak, q.dirty_peak) * (1 - kTolerance)) continue;
    bool added = false;
    for (std::size_t j = 0; j < q.users.size(); ++j) {
      const ClassId other = q.users[j].cls;
      if (classes_[other].in_set != solve_id_ && classes_[other].level > level) {
        add_dirty(other);
        added = true;
      }
    }
    if (!added) {
      // Not full, and no higher clean class: rounding beyond the slack. Solving the whole component settles it.
      force_component_ = true;
      return false;
    }
    grew = true;
  }

  // A clean class whose bottleneck r is in T: the clean classes on r kept their rates, whose levels were not above
  // its own, so it is still r's highest unless a dirty class on r now is; r must also still be full. Otherwise it
  // joins D. A clean class whose bottleneck is outside T keeps it: no rate there changed.
  const std::size_t touched = set_resources_.size();
  for (std::size_t j = 0; j < touched; ++j) {
    const Resource& q = res(set_resources_[j]);
    if (q.bottlenecked.empty()) continue;
    const bool still_full = full(q);
    for (std::size_t b = 0; b < q.bottlenecked.size(); ++b) {
      const ClassId k = q.bottlenecked[b];
      const Class& c = classes_[k];
      if (c.in_set == solve_id_) continue;
      if (still_full && c.level >= q.dirty_peak * (1 - kTolerance)) continue;
      add_dirty(k);
      grew = true;
    }
  }
  return !grew;
}

void MaxMinSolver::commit(Time now) {
  // phi_ grows by the largest factor any flow's rate grew by (a class's members had its ref_rate before).
  double growth = 1;
  for (const ClassId k : dirty_) {
    Class& c = classes_[k];
    require(c.fixed && c.new_rate > 0, "MaxMinSolver: a class was left without a rate");
    if (c.ref_rate > 0) growth = std::max(growth, c.new_rate / c.ref_rate);
    c.ref_rate = c.new_rate;
    c.level = c.new_level;
    if (c.new_rate == c.rate) continue;
    settle(c, now);
    for (const Use& u : c.uses) res(u.resource).load += (c.new_rate - c.rate) * u.count;
    c.rate = c.new_rate;
  }
  if (growth > 1) phi_ += std::log(growth);
  classes_resolved_ += dirty_.size();
}

bool MaxMinSolver::check_bounds() {
  // New flows add their rates to the bounds of the other resources they use.
  for (const FlowId f : new_flows_) {
    const Flow& flow = flows_[f];
    const double rate = classes_[flow.cls].rate;
    for (const Hop& h : hops(f)) {
      Resource& q = res(h.resource);
      if (q.tight) continue;
      const double before = q.bound_load > 0 ? q.bound_load * std::exp(phi_ - q.bound_phi) : 0.0;
      q.bound_load = before + rate;
      q.bound_phi = phi_;
      push_bound(h.resource);
    }
  }
  new_flows_.clear();
  // Every resource whose bound reached its capacity is summed exactly; one over capacity becomes tight.
  bool ok = true;
  changed_.clear();
  while (!bounds_.empty() && bounds_.front().key <= phi_) {
    const BoundEntry e = bounds_.front();
    std::pop_heap(bounds_.begin(), bounds_.end(), maxmin::key_after);
    bounds_.pop_back();
    Resource& q = res(e.resource);
    if (e.version != q.bound_version || q.tight) continue;
    double load = 0;
    for (const Entry& entry : q.flows) load += classes_[entry.cls].rate;
    if (load > q.capacity * (1 + kTolerance)) {
      tighten(e.resource);
      add_resource_to_set(e.resource);
      for (std::size_t u = 0; u < q.users.size(); ++u) {
        const ClassId k = q.users[u].cls;
        if (classes_[k].in_set != solve_id_) add_dirty(k);
      }
      ok = false;
    } else {
      q.bound_load = load;
      q.bound_phi = phi_;
      changed_.push_back(e.resource);  // pushed back after the loop: its key may still be <= phi_
    }
  }
  for (const ResourceId r : changed_) push_bound(r);
  return ok;
}

// ---- Merging ------------------------------------------------------------------------------------------------

bool MaxMinSolver::same_kind(const Class& a, const Class& b) {
  // Both uniform (every member uses every tight resource of the class), of one weight and rate, over the same
  // tight resources.
  if (a.rate != b.rate || a.weight != b.weight || a.uses.size() != b.uses.size()) return false;
  for (const Use& u : a.uses) {
    if (u.count != a.members) return false;
    bool found = false;
    for (const Use& v : b.uses) {
      if (v.resource == u.resource) {
        if (v.count != b.members) return false;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

bool MaxMinSolver::uniform(const Class& c) {
  return std::all_of(c.uses.begin(), c.uses.end(), [&](const Use& u) { return u.count == c.members; });
}

std::size_t MaxMinSolver::kind_hash(const Class& c) {
  // Of the rate, the weight and the set of tight resources (a sum: the order of `uses` does not matter).
  const auto mix = [](std::uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  };
  std::uint64_t h = mix(std::bit_cast<std::uint64_t>(c.rate)) ^ (mix(std::bit_cast<std::uint64_t>(c.weight)) << 1);
  for (const Use& u : c.uses) h += mix(static_cast<std::uint64_t>(u.resource) + 0x9e3779b97f4a7c15ull);
  return static_cast<std::size_t>(mix(h));
}

void MaxMinSolver::merge_classes(Time now) {
  // Classes with the same bottleneck, the same weight and rate (bitwise: fixed at the same filling step) and the
  // same tight resources, each used by all their members, become one: the smaller ones' members move to the
  // largest, with their units still to move. (Classes are not merged merely for sharing a bottleneck: when
  // another resource binds some of their members later, they would have to be split again.)
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    const Class& c = classes_[dirty_[i]];
    if (c.members == 0 || c.members == kFreed || c.bottleneck < 0) continue;
    Resource& q = res(c.bottleneck);
    if (q.merged == solve_id_ || q.bottlenecked.size() < 2) continue;
    q.merged = solve_id_;
    // For each kind, the largest class (ties: the first listed) takes the others. Kinds are found through a hash
    // of what same_kind compares, so that thousands of kinds on one bottleneck cost no more than one each.
    kinds_.clear();
    kind_of_.clear();
    const std::size_t want = 2 * q.bottlenecked.size() + 16;
    if (kind_slots_.size() < want) kind_slots_.resize(std::bit_ceil(want));
    std::fill(kind_slots_.begin(), kind_slots_.end(), kNoClass);
    const std::size_t mask = kind_slots_.size() - 1;
    for (const ClassId k : q.bottlenecked) {
      const Class& other = classes_[k];
      std::uint32_t kind = kNoClass;
      if (uniform(other)) {
        for (std::size_t slot = kind_hash(other) & mask;; slot = (slot + 1) & mask) {
          const std::uint32_t g = kind_slots_[slot];
          if (g == kNoClass) {
            kind_slots_[slot] = static_cast<std::uint32_t>(kinds_.size());  // a new kind, pushed below
            break;
          }
          if (same_kind(classes_[kinds_[g]], other)) {
            kind = g;
            break;
          }
        }
      }
      if (kind == kNoClass) {
        kind = static_cast<std::uint32_t>(kinds_.size());
        kinds_.push_back(k);
      } else if (other.members > classes_[kinds_[kind]].members) {
        kinds_[kind] = k;
      }
      kind_of_.push_back(kind);
    }
    if (kinds_.size() == q.bottlenecked.size()) continue;  // nothing to merge
    merging_.assign(q.bottlenecked.begin(), q.bottlenecked.end());
    for (std::size_t j = 0; j < merging_.size(); ++j) {
      const ClassId k = merging_[j];
      const ClassId into = kinds_[kind_of_[j]];
      if (into == k) continue;
      Class& from = classes_[k];
      settle(from, now);
      for (std::size_t m = 0; m < from.heap.size(); ++m) {
        const Member member = from.heap[m];
        const Flow& flow = flows_[member.flow];
        if (flow.generation != member.generation || flow.cls != k) continue;
        const double remaining = leave(member.flow, now);
        join(member.flow, into, remaining, now);
      }
      free_class(k);
      ++merges_;
      note_timer(into, now);
    }
  }
}

}  // namespace shardsim::net
