#include "shardsim/net/fair_network.hpp"

#include <algorithm>

namespace shardsim::net {
namespace {

// Stages of a transfer's events (NetEvent::stage).
constexpr std::uint32_t kSent = 0;       // the sender's CPU is done: the flow begins
constexpr std::uint32_t kFlowDone = 1;   // the flow's bytes are all sent
constexpr std::uint32_t kArrived = 2;    // the last byte reached the receiver
constexpr std::uint32_t kDelivered = 3;  // the receiver's CPU is done
constexpr std::uint32_t kSolve = 4;      // re-solve the rates touched at this instant (NetEvent::transfer unused)

// Relative slack when checking that a resource is full and that no flow on it is faster: rates are doubles.
constexpr double kTolerance = 1e-9;
// Rounds of the incremental re-solve before solving the whole component at once.
constexpr int kMaxRounds = 8;

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

TransferId FairNetwork::new_transfer() {
  if (free_transfers_.empty()) {
    transfers_.emplace_back();
    return static_cast<TransferId>(transfers_.size() - 1);
  }
  const TransferId id = free_transfers_.back();
  free_transfers_.pop_back();
  return id;
}

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
    case kFlowDone: return end_flow(now, event.transfer, ctx);
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

void FairNetwork::add_to_resource(FlowId f, std::size_t hop) {
  Hop& h = flows_[f].hops[hop];
  std::vector<FlowId>& list = resources_[static_cast<std::size_t>(h.resource)].flows;
  h.slot = static_cast<std::uint32_t>(list.size());
  list.push_back(f);
}

void FairNetwork::remove_from_resource(FlowId f, std::size_t hop) {
  const Hop& h = flows_[f].hops[hop];
  std::vector<FlowId>& list = resources_[static_cast<std::size_t>(h.resource)].flows;
  const FlowId moved = list.back();
  list[h.slot] = moved;
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

  FlowId f;
  if (free_flows_.empty()) {
    f = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
  } else {
    f = free_flows_.back();
    free_flows_.pop_back();
  }
  Flow& flow = flows_[f];
  flow.transfer = id;
  flow.remaining = static_cast<double>(t.wire.count);
  flow.rate = 0;
  flow.updated = now;
  flow.finish = now;
  flow.new_rate = 0;
  flow.event = core::no_event;
  flow.bottleneck = -1;
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
  for (std::size_t k = 0; k < flow.hops.size(); ++k) add_to_resource(f, k);
  started_.push_back(f);
  request_solve(now, ctx);
}

void FairNetwork::end_flow(Time now, TransferId id, NetContext& ctx) {
  Transfer& t = transfers_[id];
  const FlowId f = t.flow;
  Flow& flow = flows_[f];
  flow.event = core::no_event;
  set_bottleneck(f, -1);
  for (std::size_t k = 0; k < flow.hops.size(); ++k) {
    remove_from_resource(f, k);
    Resource& res = resources_[static_cast<std::size_t>(flow.hops[k].resource)];
    // An idle resource's load is exactly zero, whatever rounding the sum of its flows' rates accumulated.
    res.load = res.flows.empty() ? 0.0 : res.load - flow.rate;
    touched_.push_back(flow.hops[k].resource);
  }
  free_flows_.push_back(f);
  t.timing.serialization = std::min(t.alone, now - t.flow_begin);
  ended_.push_back(id);
  request_solve(now, ctx);
}

void FairNetwork::set_bottleneck(FlowId f, ResourceId r) {
  Flow& flow = flows_[f];
  if (flow.bottleneck == r) return;
  if (flow.bottleneck >= 0) {
    std::vector<FlowId>& list = resources_[static_cast<std::size_t>(flow.bottleneck)].bottlenecked;
    const FlowId moved = list.back();
    list[flow.bottleneck_slot] = moved;
    flows_[moved].bottleneck_slot = flow.bottleneck_slot;
    list.pop_back();
  }
  flow.bottleneck = r;
  if (r >= 0) {
    std::vector<FlowId>& list = resources_[static_cast<std::size_t>(r)].bottlenecked;
    flow.bottleneck_slot = static_cast<std::uint32_t>(list.size());
    list.push_back(f);
  }
}

void FairNetwork::add_resource(ResourceId r) {
  Resource& res = resources_[static_cast<std::size_t>(r)];
  if (res.in_set == solve_id_) return;
  res.in_set = solve_id_;
  set_resources_.push_back(r);
}

void FairNetwork::add_dirty(FlowId f) {
  Flow& flow = flows_[f];
  flow.in_set = solve_id_;
  dirty_.push_back(f);
  for (const Hop& h : flow.hops) add_resource(h.resource);
}

void FairNetwork::fill() {
  // Capacity the clean flows leave on each resource of T (its load less its dirty flows' old rates; all of it if
  // every flow on it is dirty), and how many dirty flows share it.
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    res.left = 0;
    res.unfixed = 0;
  }
  for (const FlowId f : dirty_) {
    Flow& flow = flows_[f];
    flow.fixed = false;
    for (const Hop& h : flow.hops) {
      Resource& res = resources_[static_cast<std::size_t>(h.resource)];
      res.left += flow.rate;
      ++res.unfixed;
    }
  }
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    res.left = res.unfixed == res.flows.size() ? res.capacity : res.capacity - (res.load - res.left);
  }

  // Progressive filling. The heap holds (fair share, resource) with the smallest share on top; an entry is stale
  // once its resource's version moved on. `level` only rises: a resource's share cannot be below the level already
  // reached (it was not full), so a smaller one is rounding and is raised to it.
  const auto after = [](const HeapEntry& a, const HeapEntry& b) {
    return a.share > b.share || (a.share == b.share && a.resource > b.resource);
  };
  heap_.clear();
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    ++res.version;
    if (res.unfixed > 0) heap_.push_back(HeapEntry{std::max(res.left, 0.0) / res.unfixed, r, res.version});
  }
  std::make_heap(heap_.begin(), heap_.end(), after);
  double level = 0;
  std::size_t unfixed = dirty_.size();
  while (unfixed > 0) {
    require(!heap_.empty(), "FairNetwork: progressive filling ran out of resources");
    std::pop_heap(heap_.begin(), heap_.end(), after);
    const HeapEntry top = heap_.back();
    heap_.pop_back();
    Resource& full = resources_[static_cast<std::size_t>(top.resource)];
    if (top.version != full.version || full.unfixed == 0) continue;
    level = std::max(level, top.share);
    full.unfixed = 0;
    ++full.version;
    // Fix its dirty flows at `level`; the other resources they use lose that much each, and are pushed again once
    // this resource's flows are all fixed.
    const std::uint64_t round = ++stamp_;
    changed_.clear();
    for (const FlowId f : full.flows) {
      Flow& flow = flows_[f];
      if (flow.in_set != solve_id_ || flow.fixed) continue;
      flow.fixed = true;
      --unfixed;
      flow.new_rate = level;
      set_bottleneck(f, top.resource);
      for (const Hop& h : flow.hops) {
        if (h.resource == top.resource) continue;
        Resource& other = resources_[static_cast<std::size_t>(h.resource)];
        other.left -= level;
        --other.unfixed;
        if (other.round != round) {
          other.round = round;
          changed_.push_back(h.resource);
        }
      }
    }
    for (const ResourceId r : changed_) {
      Resource& other = resources_[static_cast<std::size_t>(r)];
      ++other.version;
      if (other.unfixed > 0) {
        heap_.push_back(HeapEntry{std::max(other.left, 0.0) / other.unfixed, r, other.version});
        std::push_heap(heap_.begin(), heap_.end(), after);
      }
    }
  }
}

bool FairNetwork::verify() {
  const std::uint64_t pass = ++stamp_;
  // The change each resource of T sees: its load moves by the dirty flows' new rates less their old ones, and
  // its fastest dirty flow.
  for (const ResourceId r : set_resources_) {
    Resource& res = resources_[static_cast<std::size_t>(r)];
    res.delta = 0;
    res.dirty_peak = 0;
  }
  for (const FlowId f : dirty_) {
    const Flow& flow = flows_[f];
    for (const Hop& h : flow.hops) {
      Resource& res = resources_[static_cast<std::size_t>(h.resource)];
      res.delta += flow.new_rate - flow.rate;
      res.dirty_peak = std::max(res.dirty_peak, flow.new_rate);
    }
  }
  const auto full = [](const Resource& res) { return res.load + res.delta >= res.capacity * (1 - kTolerance); };
  bool grew = false;

  // A dirty flow's bottleneck (where filling fixed it: full) must carry no faster flow. Dirty flows there are not
  // faster (filling fixed them at or below its level); clean ones that are join D. The dirty flows a resource is
  // the bottleneck of were all fixed at the same level, so the first of them stands for all.
  const std::size_t dirty = dirty_.size();
  for (std::size_t i = 0; i < dirty; ++i) {
    const Flow& flow = flows_[dirty_[i]];
    Resource& res = resources_[static_cast<std::size_t>(flow.bottleneck)];
    if (res.checked == pass) continue;
    res.checked = pass;
    double clean_peak = 0;
    for (const FlowId c : res.flows) {
      if (flows_[c].in_set != solve_id_) clean_peak = std::max(clean_peak, flows_[c].rate);
    }
    const double rate = flow.new_rate;
    if (full(res) && rate >= std::max(clean_peak, res.dirty_peak) * (1 - kTolerance)) continue;
    bool added = false;
    for (const FlowId c : res.flows) {
      const Flow& other = flows_[c];
      if (other.in_set != solve_id_ && other.rate > rate) {
        add_dirty(c);
        added = true;
      }
    }
    // Not full with no faster clean flow: rounding beyond the slack. Solving the whole component settles it.
    if (!added) {
      force_component_ = true;
      return false;
    }
    grew = true;
  }

  // A clean flow whose bottleneck r is in T: the clean flows on r kept their rates, which were not above its
  // own, so it is still r's fastest unless a dirty flow on r is now faster; r must also still be full. Otherwise
  // it joins D. A clean flow whose bottleneck is outside T keeps it: no rate there changed.
  const std::size_t touched = set_resources_.size();
  for (std::size_t j = 0; j < touched; ++j) {
    const Resource& res = resources_[static_cast<std::size_t>(set_resources_[j])];
    if (res.bottlenecked.empty()) continue;
    const bool still_full = full(res);
    for (const FlowId c : res.bottlenecked) {
      const Flow& flow = flows_[c];
      if (flow.in_set == solve_id_) continue;
      if (still_full && flow.rate >= res.dirty_peak * (1 - kTolerance)) continue;
      add_dirty(c);
      grew = true;
    }
  }
  return !grew;
}

void FairNetwork::solve(Time now, NetContext& ctx) {
  solve_pending_ = false;
  ++solves_;
  ++solve_id_;
  force_component_ = false;
  dirty_.clear();
  set_resources_.clear();
  for (const ResourceId r : touched_) add_resource(r);
  touched_.clear();
  for (const FlowId f : started_) add_dirty(f);
  started_.clear();
  // A first guess that usually saves a round: the flows held back by a resource that a flow joined or left.
  const std::size_t first = set_resources_.size();
  for (std::size_t j = 0; j < first; ++j) {
    for (const FlowId f : resources_[static_cast<std::size_t>(set_resources_[j])].bottlenecked) {
      if (flows_[f].in_set != solve_id_) add_dirty(f);
    }
  }

  // Re-solve the dirty flows on what the clean ones leave, until every flow has a bottleneck; after kMaxRounds,
  // solve the whole component instead (every flow reachable from T through shared resources).
  for (int round = 1;; ++round) {
    if (round > kMaxRounds || force_component_) {
      ++component_solves_;
      for (std::size_t j = 0; j < set_resources_.size(); ++j) {
        for (const FlowId f : resources_[static_cast<std::size_t>(set_resources_[j])].flows) {
          if (flows_[f].in_set != solve_id_) add_dirty(f);
        }
      }
      fill();
      break;
    }
    fill();
    if (verify()) break;
  }

  // New rates: move each resource's load, advance each changed flow's bytes at its old rate to now, and move its
  // completion event.
  flows_resolved_ += dirty_.size();
  for (const FlowId f : dirty_) {
    Flow& flow = flows_[f];
    require(flow.fixed && flow.new_rate > 0, "FairNetwork: a flow was left without a rate");
    if (flow.new_rate == flow.rate) continue;
    for (const Hop& h : flow.hops) resources_[static_cast<std::size_t>(h.resource)].load += flow.new_rate - flow.rate;
    if (flow.rate > 0) {
      flow.remaining = std::max(0.0, flow.remaining - flow.rate * (now - flow.updated).seconds());
    }
    flow.updated = now;
    flow.rate = flow.new_rate;
    const Time finish = now + Time::from_seconds(flow.remaining / flow.rate);
    if (flow.event != core::no_event) {
      if (finish == flow.finish) continue;
      ctx.cancel(flow.event);
    }
    flow.finish = finish;
    flow.event = ctx.schedule(finish, NetEvent{flow.transfer, kFlowDone});
  }

  // Flows that ended at this instant travel on to their receivers, in the order they were started.
  if (ended_.size() > 1) {
    std::sort(ended_.begin(), ended_.end(),
              [this](TransferId a, TransferId b) { return transfers_[a].seq < transfers_[b].seq; });
  }
  for (const TransferId id : ended_) ctx.schedule(now + transfers_[id].timing.latency, NetEvent{id, kArrived});
  ended_.clear();
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
  t.timing.waiting =
      (now - t.timing.started) - t.timing.overhead - t.timing.latency - t.timing.serialization;
  require(t.timing.waiting >= Time{}, "FairNetwork: negative waiting");
  counters_.node_payload_received[static_cast<std::size_t>(t.request.dst)] += t.request.payload;
  --in_flight_;
  free_transfers_.push_back(id);
  // The slot may be reused by a transfer that delivered() starts, so hand over copies.
  const TransferTiming timing = t.timing;
  const std::uint64_t tag = t.request.tag;
  ctx.delivered(tag, timing);
}

}  // namespace shardsim::net
