#include "shardsim/net/fair_network.hpp"

#include <algorithm>
#include <cmath>

#include "shardsim/util/slot_pool.hpp"

namespace shardsim::net {
namespace {

// Stages of a transfer's events (NetEvent::stage).
constexpr std::uint32_t kSent = 0;       // the sender's CPU is done: the flow begins
constexpr std::uint32_t kClassDone = 1;  // a class's next member may be done (NetEvent::transfer is the class)
constexpr std::uint32_t kArrived = 2;    // the last byte reached the receiver
constexpr std::uint32_t kDelivered = 3;  // the receiver's CPU is done
constexpr std::uint32_t kSolve = 4;      // re-solve the rates touched at this instant (NetEvent::transfer unused)

// Relative slack when checking that a resource is full, over capacity, or carries a faster class: rates are
// doubles.
constexpr double kTolerance = 1e-9;
// Rounds of the incremental re-solve before solving the whole component at once.
constexpr int kMaxRounds = 8;
// A tight resource whose load falls below this fraction of its capacity is no longer tight.
constexpr double kUntightenBelow = 0.5;

// Heap orders: true if a comes out after b.
constexpr auto member_after = [](const auto& a, const auto& b) {
  return a.target > b.target || (a.target == b.target && a.seq > b.seq);
};
constexpr auto share_after = [](const auto& a, const auto& b) {
  return a.share > b.share || (a.share == b.share && a.resource > b.resource);
};
constexpr auto key_after = [](const auto& a, const auto& b) {
  return a.key > b.key || (a.key == b.key && a.resource > b.resource);
};

}  // namespace

FairNetwork::FairNetwork(const topo::Topology& topology, NetworkOptions options)
    : topology_(topology), options_(options) {
  require(topology.sealed(), "FairNetwork needs a sealed topology");
  require(options.mtu.count > 0, "mtu must be positive");
  const auto nodes = static_cast<std::size_t>(topology.node_count());
  const auto dir_links = static_cast<std::size_t>(2 * topology.link_count());
  resources_.resize(dir_links);
  for (std::size_t d = 0; d < dir_links; ++d) {
    resources_[d].capacity = topology.dir_link_spec(static_cast<topo::DirLinkId>(d)).bandwidth.per_second;
  }
  switch_resource_.assign(static_cast<std::size_t>(topology.vertex_count()), -1);
  for (topo::VertexId v = 0; v < topology.vertex_count(); ++v) {
    const auto* s = std::get_if<hw::SwitchSpec>(&topology.vertex(v).spec);
    if (s == nullptr || !s->capacity) continue;
    require(s->capacity->per_second > 0, "FairNetwork: a switch capacity must be positive");
    switch_resource_[static_cast<std::size_t>(v)] = static_cast<ResourceId>(resources_.size());
    resources_.emplace_back();
    resources_.back().capacity = s->capacity->per_second;
  }
  send_free_.assign(nodes, Time{});
  recv_free_.assign(nodes, Time{});
  counters_.node_payload_sent.assign(nodes, Bytes{});
  counters_.node_payload_received.assign(nodes, Bytes{});
  counters_.link_wire_bytes.assign(dir_links, Bytes{});
  counters_.link_busy.assign(dir_links, Time{});
}

TransferId FairNetwork::new_transfer() { return acquire_slot(transfers_, free_transfers_); }

void FairNetwork::start(Time now, const TransferRequest& request, NetContext& ctx) {
  const TransferId id = new_transfer();
  Transfer& t = transfers_[id];
  t.request = request;
  t.seq = next_seq_++;
  t.wire = wire_bytes(request.payload, options_);
  t.timing = TransferTiming{.started = now, .delivered = {}, .waiting = {}, .overhead = {}, .latency = {},
                            .serialization = {}};
  ++in_flight_;
  ++counters_.transfers;
  counters_.node_payload_sent[static_cast<std::size_t>(request.src)] += request.payload;

  // The sender's CPU handles one message at a time.
  const hw::NodeSpec& sender = topology_.node(request.src);
  Time& cpu = send_free_[static_cast<std::size_t>(request.src)];
  const Time begin = std::max(now, cpu);
  cpu = begin + sender.send_overhead;
  t.timing.waiting += begin - now;
  t.timing.overhead += sender.send_overhead;
  ctx.schedule(cpu, NetEvent{id, kSent});
}

void FairNetwork::handle(Time now, const NetEvent& event, NetContext& ctx) {
  switch (event.stage) {
    case kSent: return begin_flow(now, event.transfer, ctx);
    case kClassDone: return class_done(now, event.transfer, ctx);
    case kArrived: return arrive(now, event.transfer, ctx);
    case kDelivered: return deliver(now, event.transfer, ctx);
    case kSolve: return solve(now, ctx);
    default: throw InternalError("FairNetwork: unknown stage");
  }
}

void FairNetwork::request_solve(Time now, NetContext& ctx) {
  if (solve_pending_) return;
  solve_pending_ = true;
  ctx.schedule(now, NetEvent{0, kSolve});
}

// ---- Resources ----------------------------------------------------------------------------------------------

void FairNetwork::add_flow_to(FlowId f, std::size_t hop) {
  Hop& h = flows_[f].hops[hop];
  std::vector<Entry>& list = resources_[static_cast<std::size_t>(h.resource)].flows;
  h.slot = static_cast<std::uint32_t>(list.size());
  list.push_back(Entry{f, flows_[f].cls});
}

void FairNetwork::remove_flow_from(FlowId f, std::size_t hop) {
  const Hop& h = flows_[f].hops[hop];
  std::vector<Entry>& list = resources_[static_cast<std::size_t>(h.resource)].flows;
  const FlowId moved = list.back().flow;
  list[h.slot] = list.back();
  list.pop_back();
  if (moved == f) return;
  for (Hop& m : flows_[moved].hops) {
    if (m.resource == h.resource) {
      m.slot = h.slot;
      return;
    }
  }
  throw InternalError("FairNetwork: a flow is missing from a resource it uses");
}

void FairNetwork::tighten(ResourceId r) {
  Resource& res = resources_[static_cast<std::size_t>(r)];
  res.tight = true;
  ++res.bound_version;
  ++tightenings_;
  res.load = 0;
  for (const Entry& e : res.flows) {
    if (e.cls == kNoClass) continue;
    add_use(e.cls, r);
    res.load += classes_[e.cls].rate;
  }
}

void FairNetwork::untighten(ResourceId r) {
  Resource& res = resources_[static_cast<std::size_t>(r)];
  require(res.bottlenecked.empty(), "FairNetwork: untightening a bottleneck");
  while (!res.users.empty()) {
    const User u = res.users.back();
    classes_[u.cls].uses[u.slot].count = 1;
    remove_use(u.cls, r);
  }
  res.tight = false;
  res.bound_load = res.load;
  res.bound_phi = phi_;
  res.load = 0;
  push_bound(r);
}

void FairNetwork::push_bound(ResourceId r) {
  Resource& res = resources_[static_cast<std::size_t>(r)];
  ++res.bound_version;
  if (res.tight || res.flows.empty() || res.bound_load <= 0) return;
  bounds_.push_back(BoundEntry{res.bound_phi + std::log(res.capacity / res.bound_load), r, res.bound_version});
  std::push_heap(bounds_.begin(), bounds_.end(), key_after);
  if (bounds_.size() > 4 * resources_.size() + 64) {
    // Drop the entries that newer ones replaced.
    std::size_t kept = 0;
    for (const BoundEntry& e : bounds_) {
      const Resource& q = resources_[static_cast<std::size_t>(e.resource)];
      if (e.version == q.bound_version && !q.tight) bounds_[kept++] = e;
    }
    bounds_.resize(kept);
    std::make_heap(bounds_.begin(), bounds_.end(), key_after);
  }
}

// ---- Classes ------------------------------------------------------------------------------------------------

FairNetwork::ClassId FairNetwork::new_class(Time now) {
  const ClassId k = acquire_slot(classes_, free_classes_);
  Class& c = classes_[k];
  c.rate = 0;
  c.served = 0;
  c.updated = now;
  c.members = 0;
  c.bottleneck = -1;
  c.uses.clear();
  c.heap.clear();
  c.event = core::no_event;
  c.new_rate = 0;
  c.ref_rate = 0;
  c.in_set = 0;
  c.listed = 0;
  c.fixed = false;
  return k;
}

void FairNetwork::free_class(ClassId k, NetContext& ctx) {
  Class& c = classes_[k];
  require(c.members == 0 && c.uses.empty(), "FairNetwork: freeing a class that still has members");
  set_bottleneck(k, -1);
  if (c.event != core::no_event) ctx.cancel(c.event);
  c.event = core::no_event;
  c.heap.clear();
  c.members = kFreed;
  free_classes_.push_back(k);
}

void FairNetwork::settle(Class& c, Time now) {
  if (now != c.updated) {
    c.served += c.rate * (now - c.updated).seconds();
    c.updated = now;
  }
}

void FairNetwork::add_use(ClassId k, ResourceId r) {
  Class& c = classes_[k];
  for (Use& u : c.uses) {
    if (u.resource == r) {
      ++u.count;
      return;
    }
  }
  std::vector<User>& users = resources_[static_cast<std::size_t>(r)].users;
  c.uses.push_back(Use{r, 1, static_cast<std::uint32_t>(users.size())});
  users.push_back(User{k, static_cast<std::uint32_t>(c.uses.size() - 1)});
}

void FairNetwork::remove_use(ClassId k, ResourceId r) {
  Class& c = classes_[k];
  std::size_t i = 0;
  while (c.uses[i].resource != r) ++i;
  if (--c.uses[i].count > 0) return;
  std::vector<User>& users = resources_[static_cast<std::size_t>(r)].users;
  const std::uint32_t slot = c.uses[i].slot;
  if (slot + 1 != users.size()) {
    users[slot] = users.back();
    classes_[users[slot].cls].uses[users[slot].slot].slot = slot;
  }
  users.pop_back();
  if (i + 1 != c.uses.size()) {
    c.uses[i] = c.uses.back();
    resources_[static_cast<std::size_t>(c.uses[i].resource)].users[c.uses[i].slot].slot = static_cast<std::uint32_t>(i);
  }
  c.uses.pop_back();
}

void FairNetwork::join(FlowId f, ClassId k, double remaining, Time now) {
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
    std::make_heap(c.heap.begin(), c.heap.end(), member_after);
  }
  c.heap.push_back(Member{flow.target, flow.seq, f, flow.generation});
  std::push_heap(c.heap.begin(), c.heap.end(), member_after);
  ++c.members;
  for (const Hop& h : flow.hops) {
    Resource& res = resources_[static_cast<std::size_t>(h.resource)];
    res.flows[h.slot].cls = k;
    if (!res.tight) continue;
    add_use(k, h.resource);
    res.load += c.rate;
  }
}

double FairNetwork::leave(FlowId f, Time now) {
  Flow& flow = flows_[f];
  const ClassId k = flow.cls;
  Class& c = classes_[k];
  settle(c, now);
  --c.members;
  ++flow.generation;
  flow.cls = kNoClass;
  for (const Hop& h : flow.hops) {
    Resource& res = resources_[static_cast<std::size_t>(h.resource)];
    res.flows[h.slot].cls = kNoClass;
    if (!res.tight) continue;
    remove_use(k, h.resource);
    res.load = res.users.empty() ? 0.0 : res.load - c.rate;
  }
  return std::max(0.0, flow.target - c.served);
}

const FairNetwork::Member* FairNetwork::next_member(Class& c) {
  while (!c.heap.empty()) {
    const Member& top = c.heap.front();
    const Flow& flow = flows_[top.flow];
    if (flow.generation == top.generation && flow.cls != kNoClass) return &top;
    std::pop_heap(c.heap.begin(), c.heap.end(), member_after);
    c.heap.pop_back();
  }
  return nullptr;
}

void FairNetwork::schedule_class(ClassId k, Time now, NetContext& ctx) {
  Class& c = classes_[k];
  const Member* m = c.members > 0 ? next_member(c) : nullptr;
  if (m == nullptr) {
    if (c.event != core::no_event) ctx.cancel(c.event);
    c.event = core::no_event;
    return;
  }
  // From the class's last settling point, so that the time does not depend on when it was last looked at.
  Time finish = c.updated + Time::from_seconds(std::max(0.0, m->target - c.served) / c.rate);
  finish = std::max(finish, now);
  if (c.event != core::no_event) {
    if (finish == c.finish) return;
    ctx.cancel(c.event);
  }
  c.finish = finish;
  c.event = ctx.schedule(finish, NetEvent{k, kClassDone});
}

void FairNetwork::set_bottleneck(ClassId k, ResourceId r) {
  Class& c = classes_[k];
  if (c.bottleneck == r) return;
  if (c.bottleneck >= 0) {
    std::vector<ClassId>& list = resources_[static_cast<std::size_t>(c.bottleneck)].bottlenecked;
    const ClassId moved = list.back();
    list[c.bottleneck_slot] = moved;
    classes_[moved].bottleneck_slot = c.bottleneck_slot;
    list.pop_back();
  }
  c.bottleneck = r;
  if (r >= 0) {
    std::vector<ClassId>& list = resources_[static_cast<std::size_t>(r)].bottlenecked;
    c.bottleneck_slot = static_cast<std::uint32_t>(list.size());
    list.push_back(k);
  }
}

void FairNetwork::list_changed(ClassId k) {
  Class& c = classes_[k];
  if (c.listed == solve_id_ + 1) return;  // the id the next solve will have
  c.listed = solve_id_ + 1;
  changed_classes_.push_back(k);
}

// ---- A transfer's life --------------------------------------------------------------------------------------

void FairNetwork::begin_flow(Time now, TransferId id, NetContext& ctx) {
  Transfer& t = transfers_[id];
  t.flow_begin = now;
  topology_.route(t.request.src, t.request.dst, route_, t.request.tag);

  Time latency{};
  for (std::size_t i = 0; i < route_.size(); ++i) {
    latency += topology_.dir_link_spec(route_[i]).latency;
    if (i + 1 < route_.size()) latency += topology_.forwarding_latency(topology_.dir_link_head(route_[i]));
  }
  t.timing.latency = latency;

  if (route_.empty() || t.wire.count == 0) {
    // Nothing to send over a link: the flow ends as it begins.
    t.alone = Time{};
    ended_.push_back(id);
    request_solve(now, ctx);
    return;
  }

  const FlowId f = acquire_slot(flows_, free_flows_);
  Flow& flow = flows_[f];
  flow.cls = kNoClass;
  flow.seq = t.seq;
  flow.transfer = id;
  flow.hops.clear();

  double bottleneck = resources_[static_cast<std::size_t>(route_[0])].capacity;
  for (std::size_t i = 0; i < route_.size(); ++i) {
    const topo::DirLinkId d = route_[i];
    flow.hops.push_back(Hop{d, 0});
    const double bandwidth = resources_[static_cast<std::size_t>(d)].capacity;
    bottleneck = std::min(bottleneck, bandwidth);
    counters_.link_wire_bytes[static_cast<std::size_t>(d)] += t.wire;
    counters_.link_busy[static_cast<std::size_t>(d)] += transfer_time(t.wire, ByteRate{bandwidth});
    if (i + 1 < route_.size()) {
      const ResourceId s = switch_resource_[static_cast<std::size_t>(topology_.dir_link_head(d))];
      if (s >= 0) {
        flow.hops.push_back(Hop{s, 0});
        bottleneck = std::min(bottleneck, resources_[static_cast<std::size_t>(s)].capacity);
      }
    }
  }
  t.flow = f;
  t.alone = transfer_time(t.wire, ByteRate{bottleneck});
  for (std::size_t k = 0; k < flow.hops.size(); ++k) add_flow_to(f, k);
  started_.push_back(f);
  request_solve(now, ctx);
}

void FairNetwork::class_done(Time now, ClassId k, NetContext& ctx) {
  Class& c = classes_[k];
  c.event = core::no_event;
  settle(c, now);
  bool ended = false;
  // Every member whose bytes are sent by this picosecond ends now, in (target, start) order.
  while (const Member* m = next_member(c)) {
    if (Time::from_seconds(std::max(0.0, m->target - c.served) / c.rate) > Time{}) break;
    const FlowId f = m->flow;
    std::pop_heap(c.heap.begin(), c.heap.end(), member_after);
    c.heap.pop_back();
    end_flow(now, f);
    ended = true;
  }
  if (ended) {
    list_changed(k);
    request_solve(now, ctx);
  } else {
    schedule_class(k, now, ctx);  // rounding brought the event a picosecond early
  }
}

void FairNetwork::end_flow(Time now, FlowId f) {
  leave(f, now);
  Flow& flow = flows_[f];
  for (std::size_t k = 0; k < flow.hops.size(); ++k) {
    remove_flow_from(f, k);
    Resource& res = resources_[static_cast<std::size_t>(flow.hops[k].resource)];
    if (res.tight) {
      touched_.push_back(flow.hops[k].resource);
    } else if (res.flows.empty()) {
      res.bound_load = 0;
      ++res.bound_version;
    }
  }
  free_flows_.push_back(f);
  Transfer& t = transfers_[flow.transfer];
  t.timing.serialization = std::min(t.alone, now - t.flow_begin);
  ended_.push_back(flow.transfer);
}

void FairNetwork::arrive(Time now, TransferId id, NetContext& ctx) {
  Transfer& t = transfers_[id];
  const topo::NodeId dst = t.request.dst;
  const hw::NodeSpec& receiver = topology_.node(dst);
  Time& cpu = recv_free_[static_cast<std::size_t>(dst)];
  const Time begin = std::max(now, cpu);
  cpu = begin + receiver.recv_overhead;
  t.timing.overhead += receiver.recv_overhead;
  ctx.schedule(cpu, NetEvent{id, kDelivered});
}

void FairNetwork::deliver(Time now, TransferId id, NetContext& ctx) {
  Transfer& t = transfers_[id];
  t.timing.delivered = now;
  // Waiting is the remainder, so that the four parts add up exactly: the sender's and the receiver's CPU queues
  // plus the flow's time beyond W / bottleneck.
  t.timing.waiting = (now - t.timing.started) - t.timing.overhead - t.timing.latency - t.timing.serialization;
  require(t.timing.waiting >= Time{}, "FairNetwork: negative waiting");
  counters_.node_payload_received[static_cast<std::size_t>(t.request.dst)] += t.request.payload;
  --in_flight_;
  free_transfers_.push_back(id);
  // The slot may be reused by a transfer that delivered() starts, so hand over copies.
  const TransferTiming timing = t.timing;
  const std::uint64_t tag = t.request.tag;
  ctx.delivered(tag, timing);
}

// ---- The solve ----------------------------------------------------------------------------------------------

void FairNetwork::add_resource(ResourceId r) {
  Resource& res = resources_[static_cast<std::size_t>(r)];
  if (res.in_set == solve_id_) return;
  res.in_set = solve_id_;
  set_resources_.push_back(r);
}

void FairNetwork::add_dirty(ClassId k) {
  Class& c = classes_[k];
  c.in_set = solve_id_;
  c.ref_rate = c.rate;
  dirty_.push_back(k);
  for (const Use& u : c.uses) add_resource(u.resource);
}

void FairNetwork::solve(Time now, NetContext& ctx) {
  solve_pending_ = false;
  ++solves_;
  ++solve_id_;
  force_component_ = false;
  dirty_.clear();
  set_resources_.clear();

  // Classes that lost members: freed if empty, else re-solved; tight resources whose load fell.
  for (const ClassId k : changed_classes_) {
    if (classes_[k].members == 0) {
      free_class(k, ctx);
    } else {
      add_dirty(k);
    }
  }
  changed_classes_.clear();
  for (const ResourceId r : touched_) {
    if (resources_[static_cast<std::size_t>(r)].tight) add_resource(r);
  }
  touched_.clear();
  // New flows: every route needs a tight resource (its narrowest, if it has none); then a class of its own.
  new_flows_.swap(started_);
  started_.clear();
  for (const FlowId f : new_flows_) {
    const Flow& flow = flows_[f];
    bool tight = false;
    ResourceId narrowest = flow.hops[0].resource;
    for (const Hop& h : flow.hops) {
      const Resource& res = resources_[static_cast<std::size_t>(h.resource)];
      tight = tight || res.tight;
      if (res.capacity < resources_[static_cast<std::size_t>(narrowest)].capacity) narrowest = h.resource;
    }
    if (!tight) tighten(narrowest);
    const ClassId k = new_class(now);
    join(f, k, static_cast<double>(transfers_[flow.transfer].wire.count), now);
    add_dirty(k);
  }
  // A first guess that usually saves a round: the classes held back by a resource that a flow joined or left.
  const std::size_t first = set_resources_.size();
  for (std::size_t j = 0; j < first; ++j) {
    for (const ClassId k : resources_[static_cast<std::size_t>(set_resources_[j])].bottlenecked) {
      if (classes_[k].in_set != solve_id_) add_dirty(k);
    }
  }

  // Solve on the tight resources; while that overloads another resource, make it tight and solve again.
  for (;;) {
    solve_rates(now);
    commit(now);
    if (check_bounds()) break;
  }
  // Resources of T that bind no one and are less than half full are no longer tight (before merging: classes
  // whose members differ only in those resources can then merge).
  for (const ResourceId r : set_resources_) {
    const Resource& res = resources_[static_cast<std::size_t>(r)];
    if (res.tight && res.bottlenecked.empty() && res.load < kUntightenBelow * res.capacity) untighten(r);
  }
  merge_classes(now, ctx);
  for (const ClassId k : dirty_) {
    const std::uint32_t members = classes_[k].members;
    if (members > 0 && members != kFreed) schedule_class(k, now, ctx);
  }

  // Flows that ended at this instant travel on to their receivers, in the order they were started.
  if (ended_.size() > 1) {
    std::sort(ended_.begin(), ended_.end(),
              [this](TransferId a, TransferId b) { return transfers_[a].seq < transfers_[b].seq; });
  }
  for (const TransferId id : ended_) ctx.schedule(now + transfers_[id].timing.latency, NetEvent{id, kArrived});
  ended_.clear();
}

void FairNetwork::solve_rates(Time now) {
  for (int round = 1;; ++round) {
    if (round > kMaxRounds || force_component_) {
      // The whole component: every class reachable from T through tight resources.
      ++component_solves_;
      force_component_ = false;
      for (std::size_t j = 0; j < set_resources_.size(); ++j) {
        const Resource& res = resources_[static_cast<std::size_t>(set_resources_[j])];
        for (std::size_t u = 0; u < res.users.size(); ++u) {
          const ClassId k = res.users[u].cls;
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

bool FairNetwork::tied(const Class& c, double level) const {
  if (c.bottleneck < 0) return false;
  const Resource& b = resources_[static_cast<std::size_t>(c.bottleneck)];
  return b.in_set == solve_id_ && b.unfixed > 0 &&
         std::max(b.left, 0.0) / static_cast<double>(b.unfixed) <= level * (1 + kTolerance);
}

void FairNetwork::fill(Time now) {
  // Capacity the clean classes leave on each resource of T (its load less its dirty classes' part; all of it if
  // every class on it is dirty), and how many members of dirty classes share it.
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    res.left = 0;
    res.unfixed = 0;
    res.dirty_users = 0;
  }
  std::size_t unfixed = dirty_.size();
  for (const ClassId k : dirty_) {
    Class& c = classes_[k];
    c.fixed = false;
    for (const Use& u : c.uses) {
      Resource& res = resources_[static_cast<std::size_t>(u.resource)];
      res.left += c.rate * u.count;
      res.unfixed += u.count;
      ++res.dirty_users;
    }
  }
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    res.left = res.dirty_users == res.users.size() ? res.capacity : res.capacity - (res.load - res.left);
  }

  // Progressive filling. The heap holds (fair share, resource) with the smallest share on top; an entry is stale
  // once its resource's version moved on. `level` only rises: a resource's share cannot be below the level already
  // reached (it was not full), so a smaller one is rounding and is raised to it.
  heap_.clear();
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    ++res.version;
    if (res.unfixed > 0) {
      heap_.push_back(HeapEntry{std::max(res.left, 0.0) / static_cast<double>(res.unfixed), r, res.version});
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), share_after);
  double level = 0;
  while (unfixed > 0) {
    require(!heap_.empty(), "FairNetwork: progressive filling ran out of resources");
    std::pop_heap(heap_.begin(), heap_.end(), share_after);
    const HeapEntry top = heap_.back();
    heap_.pop_back();
    Resource& full = resources_[static_cast<std::size_t>(top.resource)];
    if (top.version != full.version || full.unfixed == 0) continue;
    level = std::max(level, top.share);
    full.unfixed = 0;
    ++full.version;
    // Fix its dirty classes at `level` (a class only some of whose members use it is split first, those members
    // forming a new class, unless it is tied). The other resources they use lose that much per member, and are
    // pushed again once.
    const std::uint64_t round = ++stamp_;
    changed_.clear();
    for (std::size_t i = 0; i < full.users.size();) {
      ClassId k = full.users[i].cls;
      ResourceId at = top.resource;  // the bottleneck it is fixed with
      {
        const Class& c = classes_[k];
        if (c.in_set != solve_id_ || c.fixed) {
          ++i;
          continue;
        }
        if (c.uses[full.users[i].slot].count == c.members) {
          --unfixed;
          ++i;
        } else if (tied(c, level)) {
          // Only some members use this resource, but the rest would be fixed at this same level by the class's
          // bottleneck (a tie): the class stays whole, and keeps its bottleneck, which all its members use.
          at = c.bottleneck;
          --unfixed;
          ++i;
        } else {
          // The parent leaves this resource's users (another entry takes slot i, so i stays); the part joins at
          // the end, already fixed.
          k = split(k, top.resource, now);
        }
      }
      Class& c = classes_[k];
      c.fixed = true;
      c.new_rate = level;
      set_bottleneck(k, at);
      for (const Use& u : c.uses) {
        if (u.resource == top.resource) continue;
        Resource& other = resources_[static_cast<std::size_t>(u.resource)];
        other.left -= level * u.count;
        other.unfixed -= u.count;
        if (other.round != round) {
          other.round = round;
          changed_.push_back(u.resource);
        }
      }
    }
    for (const ResourceId r : changed_) {
      Resource& other = resources_[static_cast<std::size_t>(r)];
      ++other.version;
      if (other.unfixed > 0) {
        heap_.push_back(
            HeapEntry{std::max(other.left, 0.0) / static_cast<double>(other.unfixed), r, other.version});
        std::push_heap(heap_.begin(), heap_.end(), share_after);
      }
    }
  }
}

FairNetwork::ClassId FairNetwork::split(ClassId k, ResourceId r, Time now) {
  const ClassId part = new_class(now);  // may move classes_
  ++splits_;
  {
    Class& c = classes_[part];
    c.in_set = solve_id_;
    c.ref_rate = classes_[k].ref_rate;  // its members' rate before this solve
    dirty_.push_back(part);             // its resources are already in T: they are the parent's
  }
  for (const Entry& e : resources_[static_cast<std::size_t>(r)].flows) {
    if (e.cls != k) continue;
    const FlowId f = e.flow;  // leave() and join() rewrite this entry
    const double remaining = leave(f, now);
    join(f, part, remaining, now);
  }
  return part;
}

bool FairNetwork::verify() {
  const std::uint64_t pass = ++stamp_;
  // The change each resource of T sees: its load moves by the dirty classes' new rates less their old ones, and
  // its fastest dirty class.
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    res.delta = 0;
    res.dirty_peak = 0;
  }
  for (const ClassId k : dirty_) {
    const Class& c = classes_[k];
    for (const Use& u : c.uses) {
      Resource& res = resources_[static_cast<std::size_t>(u.resource)];
      res.delta += (c.new_rate - c.rate) * u.count;
      res.dirty_peak = std::max(res.dirty_peak, c.new_rate);
    }
  }
  const auto full = [](const Resource& res) { return res.load + res.delta >= res.capacity * (1 - kTolerance); };
  bool grew = false;

  // A dirty class's bottleneck (where filling fixed it: full) must carry no faster class. Dirty classes there are
  // not faster (filling fixed them at or below its level); clean ones that are join D. The dirty classes a
  // resource is the bottleneck of were all fixed at the same level, so the first of them stands for all.
  const std::size_t dirty = dirty_.size();
  for (std::size_t i = 0; i < dirty; ++i) {
    const Class& c = classes_[dirty_[i]];
    Resource& res = resources_[static_cast<std::size_t>(c.bottleneck)];
    if (res.checked == pass) continue;
    res.checked = pass;
    double clean_peak = 0;
    for (const User& u : res.users) {
      const Class& other = classes_[u.cls];
      if (other.in_set != solve_id_) clean_peak = std::max(clean_peak, other.rate);
    }
    const double rate = c.new_rate;
    if (full(res) && rate >= std::max(clean_peak, res.dirty_peak) * (1 - kTolerance)) continue;
    bool added = false;
    for (std::size_t j = 0; j < res.users.size(); ++j) {
      const ClassId other = res.users[j].cls;
      if (classes_[other].in_set != solve_id_ && classes_[other].rate > rate) {
        add_dirty(other);
        added = true;
      }
    }
    if (!added) {
      // Not full, and no faster clean class: rounding beyond the slack. Solving the whole component settles it.
      force_component_ = true;
      return false;
    }
    grew = true;
  }

  // A clean class whose bottleneck r is in T: the clean classes on r kept their rates, which were not above its
  // own, so it is still r's fastest unless a dirty class on r is now faster; r must also still be full. Otherwise
  // it joins D. A clean class whose bottleneck is outside T keeps it: no rate there changed.
  const std::size_t touched = set_resources_.size();
  for (std::size_t j = 0; j < touched; ++j) {
    const Resource& res = resources_[static_cast<std::size_t>(set_resources_[j])];
    if (res.bottlenecked.empty()) continue;
    const bool still_full = full(res);
    for (std::size_t b = 0; b < res.bottlenecked.size(); ++b) {
      const ClassId k = res.bottlenecked[b];
      const Class& c = classes_[k];
      if (c.in_set == solve_id_) continue;
      if (still_full && c.rate >= res.dirty_peak * (1 - kTolerance)) continue;
      add_dirty(k);
      grew = true;
    }
  }
  return !grew;
}

void FairNetwork::commit(Time now) {
  // phi_ grows by the largest factor any flow's rate grew by (a class's members had its ref_rate before).
  double growth = 1;
  for (const ClassId k : dirty_) {
    Class& c = classes_[k];
    require(c.fixed && c.new_rate > 0, "FairNetwork: a class was left without a rate");
    if (c.ref_rate > 0) growth = std::max(growth, c.new_rate / c.ref_rate);
    c.ref_rate = c.new_rate;
    if (c.new_rate == c.rate) continue;
    settle(c, now);
    for (const Use& u : c.uses) {
      resources_[static_cast<std::size_t>(u.resource)].load += (c.new_rate - c.rate) * u.count;
    }
    c.rate = c.new_rate;
  }
  if (growth > 1) phi_ += std::log(growth);
  classes_resolved_ += dirty_.size();
}

bool FairNetwork::check_bounds() {
  // New flows add their rates to the bounds of the other resources they use.
  for (const FlowId f : new_flows_) {
    const Flow& flow = flows_[f];
    const double rate = classes_[flow.cls].rate;
    for (const Hop& h : flow.hops) {
      Resource& res = resources_[static_cast<std::size_t>(h.resource)];
      if (res.tight) continue;
      const double before = res.bound_load > 0 ? res.bound_load * std::exp(phi_ - res.bound_phi) : 0.0;
      res.bound_load = before + rate;
      res.bound_phi = phi_;
      push_bound(h.resource);
    }
  }
  new_flows_.clear();
  // Every resource whose bound reached its capacity is summed exactly; one over capacity becomes tight.
  bool ok = true;
  changed_.clear();
  while (!bounds_.empty() && bounds_.front().key <= phi_) {
    const BoundEntry e = bounds_.front();
    std::pop_heap(bounds_.begin(), bounds_.end(), key_after);
    bounds_.pop_back();
    Resource& res = resources_[static_cast<std::size_t>(e.resource)];
    if (e.version != res.bound_version || res.tight) continue;
    double load = 0;
    for (const Entry& entry : res.flows) load += classes_[entry.cls].rate;
    if (load > res.capacity * (1 + kTolerance)) {
      tighten(e.resource);
      add_resource(e.resource);
      for (std::size_t u = 0; u < res.users.size(); ++u) {
        const ClassId k = res.users[u].cls;
        if (classes_[k].in_set != solve_id_) add_dirty(k);
      }
      ok = false;
    } else {
      res.bound_load = load;
      res.bound_phi = phi_;
      changed_.push_back(e.resource);  // pushed back after the loop: its key may still be <= phi_
    }
  }
  for (const ResourceId r : changed_) push_bound(r);
  return ok;
}

bool FairNetwork::same_kind(const Class& a, const Class& b) {
  // Both uniform (every member uses every tight resource of the class), over the same tight resources.
  if (a.rate != b.rate || a.uses.size() != b.uses.size()) return false;
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

void FairNetwork::merge_classes(Time now, NetContext& ctx) {
  // Classes with the same bottleneck, the same rate (bitwise: fixed at the same filling step) and the same tight
  // resources, each used by all their members, become one: the smaller ones' members move to the largest, with
  // their bytes still to send. (Classes are not merged merely for sharing a bottleneck: when another resource
  // binds some of their members later, they would have to be split again.)
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    const Class& c = classes_[dirty_[i]];
    if (c.members == 0 || c.members == kFreed || c.bottleneck < 0) continue;
    Resource& res = resources_[static_cast<std::size_t>(c.bottleneck)];
    if (res.merged == solve_id_ || res.bottlenecked.size() < 2) continue;
    res.merged = solve_id_;
    // For each kind, the largest class (ties: the first listed) takes the others.
    kinds_.clear();
    for (const ClassId k : res.bottlenecked) {
      const Class& other = classes_[k];
      auto it = std::find_if(kinds_.begin(), kinds_.end(),
                             [&](ClassId rep) { return same_kind(classes_[rep], other); });
      if (it == kinds_.end()) {
        kinds_.push_back(k);
      } else if (other.members > classes_[*it].members) {
        *it = k;
      }
    }
    if (kinds_.size() == res.bottlenecked.size()) continue;  // nothing to merge
    merging_.assign(res.bottlenecked.begin(), res.bottlenecked.end());
    for (const ClassId k : merging_) {
      const ClassId into = *std::find_if(kinds_.begin(), kinds_.end(),
                                         [&](ClassId rep) { return rep == k || same_kind(classes_[rep], classes_[k]); });
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
      free_class(k, ctx);
      ++merges_;
      schedule_class(into, now, ctx);
    }
  }
}

}  // namespace shardsim::net
