// MaxMinSolver's bookkeeping: flows on resources, rate classes and their members, completions. The solve itself
// (filling, verification, bound checks, merging) is in maxmin_solve.cpp.
#include "shardsim/net/maxmin_solver.hpp"

#include <algorithm>
#include <cmath>

#include "maxmin_order.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/util/slot_pool.hpp"

namespace shardsim::net {

std::size_t MaxMinSolver::flow_bytes_bound(std::size_t resources) {
  const std::size_t flow = sizeof(Flow) + resources * (sizeof(Hop) + sizeof(Entry)) + 4 * sizeof(FlowId);
  const std::size_t cls = sizeof(Class) + resources * (sizeof(Use) + sizeof(User) + sizeof(ClassId)) +
                          4 * sizeof(Member) + sizeof(Timer) + 4 * sizeof(ClassId);
  const std::size_t heaps = resources * (sizeof(HeapEntry) + sizeof(BoundEntry) + 2 * sizeof(ResourceId));
  return 2 * (flow + cls + heaps);
}

MaxMinSolver::ResourceId MaxMinSolver::add_resource(double capacity) {
  require(capacity > 0, "MaxMinSolver: a resource capacity must be positive");
  resources_.emplace_back();
  resources_.back().capacity = capacity;
  return static_cast<ResourceId>(resources_.size() - 1);
}

MaxMinSolver::FlowId MaxMinSolver::add_flow(std::span<const ResourceId> resources, double amount, std::uint64_t order,
                                            double weight) {
  require(!resources.empty(), "MaxMinSolver: a flow needs a resource");
  require(amount >= 0 && weight > 0, "MaxMinSolver: a flow needs an amount >= 0 and a weight > 0");
  const FlowId f = acquire_slot(flows_, free_flows_);
  Flow& flow = flows_[f];
  flow.cls = kNoClass;
  flow.target = amount;
  flow.weight = weight;
  flow.order = order;
  const auto count = static_cast<std::uint32_t>(resources.size());
  if (flow.hop_count != count) {
    if (flow.hop_count > 0) free_hops_[flow.hop_count].push_back(flow.first_hop);
    if (free_hops_.size() <= count) free_hops_.resize(count + 1u);
    std::vector<std::uint32_t>& free = free_hops_[count];
    if (free.empty()) {
      flow.first_hop = static_cast<std::uint32_t>(hop_pool_.size());
      require(hop_pool_.size() + count < 0xffffffffu, "MaxMinSolver: too many hops in flight");
      hop_pool_.resize(hop_pool_.size() + count);
    } else {
      flow.first_hop = free.back();
      free.pop_back();
    }
    flow.hop_count = count;
  }
  for (std::uint32_t k = 0; k < count; ++k) {
    const ResourceId r = resources[k];
    require(r >= 0 && static_cast<std::size_t>(r) < resources_.size(), "MaxMinSolver: no such resource");
    hop_pool_[flow.first_hop + k] = Hop{r, 0};
  }
  for (std::size_t k = 0; k < count; ++k) add_flow_to(f, k);
  started_.push_back(f);
  return f;
}

void MaxMinSolver::remove_flow(FlowId f, Time now) {
  const ClassId k = flows_[f].cls;
  if (k == kNoClass) {
    // Not solved yet: it only has to leave the flows waiting for their first solve.
    started_.erase(std::find(started_.begin(), started_.end(), f));
  } else {
    list_changed(k);
  }
  end_flow(f, now);
}

double MaxMinSolver::rate(FlowId f) const {
  const ClassId k = flows_[f].cls;
  return k == kNoClass ? 0.0 : classes_[k].rate;
}

double MaxMinSolver::remaining(FlowId f, Time now) const {
  const Flow& flow = flows_[f];
  if (flow.cls == kNoClass) return flow.target;
  const Class& c = classes_[flow.cls];
  return std::max(0.0, flow.target - (c.served + c.rate * (now - c.updated).seconds()));
}

// ---- Flows on resources -------------------------------------------------------------------------------------

void MaxMinSolver::add_flow_to(FlowId f, std::size_t hop) {
  Hop& h = hops(f)[hop];
  std::vector<Entry>& list = res(h.resource).flows;
  h.slot = static_cast<std::uint32_t>(list.size());
  list.push_back(Entry{f, flows_[f].cls});
}

void MaxMinSolver::remove_flow_from(FlowId f, std::size_t hop) {
  const Hop& h = hops(f)[hop];
  std::vector<Entry>& list = res(h.resource).flows;
  const FlowId moved = list.back().flow;
  list[h.slot] = list.back();
  list.pop_back();
  // A list keeps its capacity at its own peak, and resources peak at different times (a ring's wave of flows moves
  // from link to link): without this, the lists together hold the sum of their peaks, ~570 MB for a 4096-rank ring
  // broadcast whose flows in flight take a few. Shrinking at a quarter keeps pushes and pops amortized O(1).
  if (list.capacity() > 64 && list.size() < list.capacity() / 4) list.shrink_to_fit();
  if (moved == f) return;
  for (Hop& m : hops(moved)) {
    if (m.resource == h.resource) {
      m.slot = h.slot;
      return;
    }
  }
  throw InternalError("MaxMinSolver: a flow is missing from a resource it uses");
}

void MaxMinSolver::end_flow(FlowId f, Time now) {
  if (flows_[f].cls != kNoClass) leave(f, now);
  const std::span<const Hop> route = hops(f);
  for (std::size_t k = 0; k < route.size(); ++k) {
    remove_flow_from(f, k);
    Resource& r = res(route[k].resource);
    if (r.tight) {
      touched_.push_back(route[k].resource);
    } else if (r.flows.empty()) {
      r.bound_load = 0;
      ++r.bound_version;
    }
  }
  free_flows_.push_back(f);
}

void MaxMinSolver::tighten(ResourceId r) {
  Resource& q = res(r);
  q.tight = true;
  ++q.bound_version;
  ++tightenings_;
  q.load = 0;
  // As add_use for each flow, without searching: no class uses r yet (a resource that is not tight has no users),
  // so a class met for the first time here gets a new use of r, and later members count on it.
  require(q.users.empty(), "MaxMinSolver: a resource that is not tight has users");
  const std::uint64_t pass = ++tighten_id_;
  for (const Entry& e : q.flows) {
    if (e.cls == kNoClass) continue;
    Class& c = classes_[e.cls];
    if (c.tightened == pass) {
      ++c.uses[c.tightened_use].count;
    } else {
      c.tightened = pass;
      c.tightened_use = static_cast<std::uint32_t>(c.uses.size());
      c.uses.push_back(Use{r, 1, static_cast<std::uint32_t>(q.users.size())});
      q.users.push_back(User{e.cls, c.tightened_use});
    }
    q.load += c.rate;
  }
}

void MaxMinSolver::untighten(ResourceId r) {
  Resource& q = res(r);
  require(q.bottlenecked.empty(), "MaxMinSolver: untightening a bottleneck");
  while (!q.users.empty()) {
    const User u = q.users.back();
    classes_[u.cls].uses[u.slot].count = 1;
    remove_use(u.cls, r);
  }
  q.tight = false;
  q.bound_load = q.load;
  q.bound_phi = phi_;
  q.load = 0;
  push_bound(r);
}

void MaxMinSolver::push_bound(ResourceId r) {
  Resource& q = res(r);
  ++q.bound_version;
  if (q.tight || q.flows.empty() || q.bound_load <= 0) return;
  bounds_.push_back(BoundEntry{q.bound_phi + std::log(q.capacity / q.bound_load), r, q.bound_version});
  std::push_heap(bounds_.begin(), bounds_.end(), maxmin::key_after);
  if (bounds_.size() > 4 * resources_.size() + 64) {
    // Drop the entries that newer ones replaced.
    std::size_t kept = 0;
    for (const BoundEntry& e : bounds_) {
      const Resource& other = res(e.resource);
      if (e.version == other.bound_version && !other.tight) bounds_[kept++] = e;
    }
    bounds_.resize(kept);
    std::make_heap(bounds_.begin(), bounds_.end(), maxmin::key_after);
  }
}

// ---- Classes and their members ------------------------------------------------------------------------------

MaxMinSolver::ClassId MaxMinSolver::new_class(Time now, double weight) {
  const ClassId k = acquire_slot(classes_, free_classes_);
  Class& c = classes_[k];
  c.weight = weight;
  c.rate = 0;
  c.level = 0;
  c.served = 0;
  c.updated = now;
  c.members = 0;
  c.bottleneck = -1;
  c.uses.clear();
  c.heap.clear();
  c.new_rate = 0;
  c.new_level = 0;
  c.ref_rate = 0;
  c.in_set = 0;
  c.listed = 0;
  c.fixed = false;
  return k;
}

void MaxMinSolver::free_class(ClassId k) {
  Class& c = classes_[k];
  require(c.members == 0 && c.uses.empty(), "MaxMinSolver: freeing a class that still has members");
  set_bottleneck(k, -1);
  c.heap.clear();
  c.members = kFreed;
  free_classes_.push_back(k);
  timers_.push_back(Timer{k, std::nullopt});
}

void MaxMinSolver::settle(Class& c, Time now) {
  if (now != c.updated) {
    c.served += c.rate * (now - c.updated).seconds();
    c.updated = now;
  }
}

std::size_t MaxMinSolver::find_use(ClassId k, ResourceId r) const {
  // The pair is listed on both sides (the class's uses, the resource's users): search the shorter list. A class
  // of thousands of flows may use thousands of tight resources, each used by a few classes, or the other way round.
  const Class& c = classes_[k];
  const std::vector<User>& users = res(r).users;
  if (users.size() < c.uses.size()) {
    for (const User& u : users) {
      if (u.cls == k) return u.slot;
    }
    return kNotFound;
  }
  for (std::size_t i = 0; i < c.uses.size(); ++i) {
    if (c.uses[i].resource == r) return i;
  }
  return kNotFound;
}

void MaxMinSolver::add_use(ClassId k, ResourceId r) {
  Class& c = classes_[k];
  const std::size_t i = find_use(k, r);
  if (i != kNotFound) {
    ++c.uses[i].count;
    return;
  }
  std::vector<User>& users = res(r).users;
  c.uses.push_back(Use{r, 1, static_cast<std::uint32_t>(users.size())});
  users.push_back(User{k, static_cast<std::uint32_t>(c.uses.size() - 1)});
}

void MaxMinSolver::remove_use(ClassId k, ResourceId r) {
  Class& c = classes_[k];
  const std::size_t i = find_use(k, r);
  require(i != kNotFound, "MaxMinSolver: a class leaves a resource it does not use");
  if (--c.uses[i].count > 0) return;
  std::vector<User>& users = res(r).users;
  const std::uint32_t slot = c.uses[i].slot;
  if (slot + 1 != users.size()) {
    users[slot] = users.back();
    classes_[users[slot].cls].uses[users[slot].slot].slot = slot;
  }
  users.pop_back();
  if (i + 1 != c.uses.size()) {
    c.uses[i] = c.uses.back();
    res(c.uses[i].resource).users[c.uses[i].slot].slot = static_cast<std::uint32_t>(i);
  }
  c.uses.pop_back();
}

void MaxMinSolver::join(FlowId f, ClassId k, double remaining, Time now) {
  Flow& flow = flows_[f];
  Class& c = classes_[k];
  settle(c, now);
  flow.cls = k;
  flow.target = c.served + remaining;
  if (c.heap.size() > 2 * static_cast<std::size_t>(c.members) + 32) {
    // Drop the entries of members that left.
    std::size_t kept = 0;
    for (const Member& m : c.heap) {
      const Flow& other = flows_[m.flow];
      if (other.generation == m.generation && other.cls == k) c.heap[kept++] = m;
    }
    c.heap.resize(kept);
    std::make_heap(c.heap.begin(), c.heap.end(), maxmin::member_after);
  }
  c.heap.push_back(Member{flow.target, flow.order, f, flow.generation});
  std::push_heap(c.heap.begin(), c.heap.end(), maxmin::member_after);
  ++c.members;
  for (const Hop& h : hops(f)) {
    Resource& q = res(h.resource);
    q.flows[h.slot].cls = k;
    if (!q.tight) continue;
    add_use(k, h.resource);
    q.load += c.rate;
  }
}

double MaxMinSolver::leave(FlowId f, Time now) {
  Flow& flow = flows_[f];
  const ClassId k = flow.cls;
  Class& c = classes_[k];
  settle(c, now);
  --c.members;
  ++flow.generation;
  flow.cls = kNoClass;
  for (const Hop& h : hops(f)) {
    Resource& q = res(h.resource);
    q.flows[h.slot].cls = kNoClass;
    if (!q.tight) continue;
    remove_use(k, h.resource);
    q.load = q.users.empty() ? 0.0 : q.load - c.rate;
  }
  return std::max(0.0, flow.target - c.served);
}

const MaxMinSolver::Member* MaxMinSolver::next_member(Class& c) {
  while (!c.heap.empty()) {
    const Member& top = c.heap.front();
    const Flow& flow = flows_[top.flow];
    if (flow.generation == top.generation && flow.cls != kNoClass) return &top;
    std::pop_heap(c.heap.begin(), c.heap.end(), maxmin::member_after);
    c.heap.pop_back();
  }
  return nullptr;
}

std::optional<Time> MaxMinSolver::next_completion(ClassId k, Time now) {
  Class& c = classes_[k];
  const Member* m = c.members > 0 ? next_member(c) : nullptr;
  if (m == nullptr) return std::nullopt;
  // From the class's last settling point, so that the time does not depend on when it was last looked at.
  const double left = std::max(0.0, m->target - c.served) / c.rate;
  // A completion beyond Time's range at today's rate is projected at its end: the rate only grows as other flows
  // finish, which re-arms the timer earlier. A flow truly that slow fails at the next arithmetic on its time
  // (Time's checked operations) with a clear error, never by wrapping.
  if (!(left < (Time::max() - c.updated).seconds())) return Time::max();
  const Time at = c.updated + Time::from_seconds(left);
  return std::max(at, now);
}

void MaxMinSolver::note_timer(ClassId k, Time now) { timers_.push_back(Timer{k, next_completion(k, now)}); }

bool MaxMinSolver::complete_due(ClassId k, Time now, std::vector<FlowId>& done) {
  Class& c = classes_[k];
  settle(c, now);
  bool any = false;
  // Every member whose amount is done by this picosecond ends now, in (target, order) order.
  while (const Member* m = next_member(c)) {
    // Time::from_seconds rounds to the nearest picosecond: "more than 0 ps left" without converting a time that
    // may lie beyond Time's range.
    if (std::round(std::max(0.0, m->target - c.served) / c.rate * 1e12) > 0) break;
    const FlowId f = m->flow;
    std::pop_heap(c.heap.begin(), c.heap.end(), maxmin::member_after);
    c.heap.pop_back();
    end_flow(f, now);
    done.push_back(f);
    any = true;
  }
  if (any) list_changed(k);
  return any;
}

void MaxMinSolver::set_bottleneck(ClassId k, ResourceId r) {
  Class& c = classes_[k];
  if (c.bottleneck == r) return;
  if (c.bottleneck >= 0) {
    std::vector<ClassId>& list = res(c.bottleneck).bottlenecked;
    const ClassId moved = list.back();
    list[c.bottleneck_slot] = moved;
    classes_[moved].bottleneck_slot = c.bottleneck_slot;
    list.pop_back();
  }
  c.bottleneck = r;
  if (r >= 0) {
    std::vector<ClassId>& list = res(r).bottlenecked;
    c.bottleneck_slot = static_cast<std::uint32_t>(list.size());
    list.push_back(k);
  }
}

void MaxMinSolver::list_changed(ClassId k) {
  Class& c = classes_[k];
  if (c.listed == solve_id_ + 1) return;  // the id the next solve will have
  c.listed = solve_id_ + 1;
  changed_classes_.push_back(k);
}

}  // namespace shardsim::net
