#include "shardsim/net/fair_network.hpp"

#include <algorithm>

#include "shardsim/util/slot_pool.hpp"

namespace shardsim::net {
namespace {

// Stages of a transfer's events (NetEvent::stage).
constexpr std::uint32_t kSent = 0;       // the sender's CPU is done: the flow begins
constexpr std::uint32_t kClassDone = 1;  // a class's next member may be done (NetEvent::transfer is the class)
constexpr std::uint32_t kArrived = 2;    // the last bytes of a batch reached their receivers (transfer: the batch)
constexpr std::uint32_t kDelivered = 3;  // the receiver's CPU is done
constexpr std::uint32_t kSolve = 4;      // re-solve the rates touched at this instant (NetEvent::transfer unused)

}  // namespace

std::size_t FairNetwork::message_bytes_bound(std::size_t route_links) {
  // Its slot, its flow and timer here, its entry in ended_, its id in an arrival batch and on the free list, the
  // route scratch; in the solver a flow over the route's link directions and at most one switch resource per link
  // crossed.
  using Path = MessagePath<Started>;
  const std::size_t here = sizeof(Path::Message) + sizeof(TransferId) + sizeof(ClassTimer) +
                           sizeof(std::pair<std::uint64_t, TransferId>) + 2 * sizeof(TransferId) +
                           route_links * (sizeof(topo::DirLinkId) + 2 * sizeof(ResourceId));
  return 2 * here + MaxMinSolver::flow_bytes_bound(2 * route_links);
}

FairNetwork::FairNetwork(const topo::Topology& topology, NetworkOptions options) : path_(topology, options) {
  // Link directions first, so that their resource ids are their DirLinkIds; then switches with a capacity.
  dir_links_ = 2 * topology.link_count();
  for (topo::DirLinkId d = 0; d < dir_links_; ++d) solver_.add_resource(topology.dir_link_spec(d).bandwidth.per_second);
  switch_resource_.assign(static_cast<std::size_t>(topology.vertex_count()), -1);
  for (topo::VertexId v = 0; v < topology.vertex_count(); ++v) {
    const auto* s = std::get_if<hw::SwitchSpec>(&topology.vertex(v).spec);
    if (s == nullptr || !s->capacity) continue;
    require(s->capacity->per_second > 0, "FairNetwork: a switch capacity must be positive");
    switch_resource_[static_cast<std::size_t>(v)] = solver_.add_resource(s->capacity->per_second);
  }
}

void FairNetwork::start(Time now, const TransferRequest& request, NetContext& ctx) {
  const auto sent = path_.send(now, request);
  path_[sent.id].state.seq = next_seq_++;
  // A sender with nothing to pay (no send_overhead, an idle CPU) puts the flow on the wire now rather than through
  // an event at this same instant: its rates come from the solve at this instant either way.
  if (sent.at == now) return begin_flow(now, sent.id, ctx);
  ctx.schedule(sent.at, NetEvent{sent.id, kSent});
}

void FairNetwork::handle(Time now, const NetEvent& event, NetContext& ctx) {
  switch (event.stage) {
    case kSent: return begin_flow(now, event.transfer, ctx);
    case kClassDone: return class_done(now, event.transfer, ctx);
    case kArrived: return arrived(now, event.transfer, ctx);
    case kDelivered: return path_.deliver(now, event.transfer, ctx);
    case kSolve: return solve(now, ctx);
    default: throw InternalError("FairNetwork: unknown stage");
  }
}

void FairNetwork::begin_flow(Time now, TransferId id, NetContext& ctx) {
  const topo::Topology& topology = path_.topology();
  path_.route(id, route_);
  auto& m = path_[id];
  m.latency = path_.route_latency(route_);
  const Bytes wire = path_.wire_of(m);
  if (route_.empty() || wire.count == 0) {
    // Nothing to send over a link: the flow ends as it begins.
    ended_.push_back({m.state.seq, id});
    request_solve(now, ctx);
    return;
  }
  // Its resources: every link direction of the route, and the switches with a capacity between them. Each link
  // direction counts W / bandwidth busy.
  resources_.clear();
  double bottleneck = solver_.capacity(route_[0]);
  for (std::size_t i = 0; i < route_.size(); ++i) {
    const topo::DirLinkId d = route_[i];
    resources_.push_back(d);
    const double bandwidth = solver_.capacity(d);
    bottleneck = std::min(bottleneck, bandwidth);
    path_.count_link(d, wire, transfer_time(wire, ByteRate{bandwidth}));
    if (i + 1 < route_.size()) {
      const ResourceId s = switch_resource_[static_cast<std::size_t>(topology.dir_link_head(d))];
      if (s >= 0) {
        resources_.push_back(s);
        bottleneck = std::min(bottleneck, solver_.capacity(s));
      }
    }
  }
  const FlowId f = solver_.add_flow(resources_, static_cast<double>(wire.count), m.state.seq);
  if (f >= flows_.size()) flows_.resize(f + 1);
  flows_[f] = id;
  m.state.begin = now;
  m.serialization = transfer_time(wire, ByteRate{bottleneck});  // W / B for now; end_flow caps it
  request_solve(now, ctx);
}

void FairNetwork::class_done(Time now, ClassId k, NetContext& ctx) {
  timers_[k].event = core::no_event;
  done_.clear();
  if (!solver_.complete_due(k, now, done_)) {
    set_timer(k, solver_.next_completion(k, now), ctx);  // rounding brought the event a picosecond early
    return;
  }
  // Reserved at once when many end together (a direct all-gather's million flows), rather than doubled past them.
  const std::size_t ending = ended_.size() + done_.size();
  if (ended_.capacity() < ending) ended_.reserve(std::max(ending, 2 * ended_.capacity()));
  for (const FlowId f : done_) end_flow(now, f, ctx);
  request_solve(now, ctx);
}

void FairNetwork::end_flow(Time now, FlowId f, NetContext& ctx) {
  const TransferId id = flows_[f];
  auto& m = path_[id];
  m.serialization = std::min(m.serialization, now - m.state.begin);
  // Its interval on every link direction of its route, for timelines (the solver still has its resources).
  for (std::size_t i = 0; i < solver_.resources_of(f); ++i) {
    const ResourceId r = solver_.resource(f, i);
    if (r < dir_links_) ctx.link_busy(r, m.state.begin, now, m.request.tag);
  }
  ended_.push_back({m.state.seq, id});
}

void FairNetwork::arrived(Time now, std::uint32_t batch, NetContext& ctx) {
  // Handing the batch's messages over one after another is what their own events would have done: they were
  // pushed one after another at the same time, so nothing could run between them.
  std::vector<TransferId>& ids = batches_[batch];
  for (const TransferId id : ids) {
    // A receiver with nothing to pay (no recv_overhead, an idle CPU) takes the message now, as a sender does.
    const Time at = path_.receive(now, id);
    if (at == now) {
      path_.deliver(now, id, ctx);
    } else {
      ctx.schedule(at, NetEvent{id, kDelivered});
    }
  }
  ids.clear();
  free_batches_.push_back(batch);
}

void FairNetwork::request_solve(Time now, NetContext& ctx) {
  if (solve_pending_) return;
  solve_pending_ = true;
  ctx.schedule(now, NetEvent{0, kSolve});
}

void FairNetwork::solve(Time now, NetContext& ctx) {
  solve_pending_ = false;
  solver_.solve(now);
  // Move the class timers in the order the solver settled the classes, so that events repeat exactly.
  for (const MaxMinSolver::Timer& t : solver_.timers()) set_timer(t.cls, t.at, ctx);
  // Flows that ended at this instant travel on to their receivers, in the order they were started: one event per
  // arrival time (a route latency), handing over its messages in that order. Events at different times run in time
  // order whatever their push order, and nothing else is pushed in between, so this is exactly one event per
  // message, without a million events when a million flows end together (a direct all-gather over 1024 hosts).
  std::sort(ended_.begin(), ended_.end());
  for (auto& [key, id] : ended_) key = static_cast<std::uint64_t>(path_[id].latency.ps);
  std::stable_sort(ended_.begin(), ended_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < ended_.size();) {
    const std::uint32_t batch = acquire_slot(batches_, free_batches_);  // an emptied batch, or a new one
    const std::uint64_t latency = ended_[i].first;
    for (; i < ended_.size() && ended_[i].first == latency; ++i) batches_[batch].push_back(ended_[i].second);
    ctx.schedule(now + Time{static_cast<std::int64_t>(latency)}, NetEvent{batch, kArrived});
  }
  ended_.clear();
}

void FairNetwork::set_timer(ClassId k, std::optional<Time> at, NetContext& ctx) {
  if (k >= timers_.size()) timers_.resize(k + 1);
  ClassTimer& timer = timers_[k];
  if (timer.event != core::no_event) {
    if (at && *at == timer.at) return;
    ctx.cancel(timer.event);
    timer.event = core::no_event;
  }
  if (!at) return;
  timer.at = *at;
  timer.event = ctx.schedule(*at, NetEvent{k, kClassDone});
}

}  // namespace shardsim::net
