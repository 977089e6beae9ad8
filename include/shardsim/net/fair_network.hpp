#pragma once
// The max-min fair flow-level network model (`network.model = "fair"`). Messages become fluid flows that cross
// every link of their route at once and share each link direction, and each switch with a capacity, max-min
// fairly. Times are integer picoseconds, rates bytes per second (double).
//
// A message of S payload bytes has W = wire_bytes(S) bytes on the wire. It
//   1. waits for its sender's CPU and pays send_overhead there, as every message does (message_path.hpp);
//   2. becomes a flow over its route: its bytes are sent at one rate r(t) on every link of the route at once
//      (frames pipelined across hops: no store-and-forward), until W bytes have been sent;
//   3. propagates: its last byte arrives route latency L after it was sent, where L = the route's link latencies
//      + the forwarding latency of every switch it crosses (MessagePath::route_latency, for the route this
//      message takes). As in SimGrid's network model, latency and bandwidth are not mixed: the transfer has
//      arrived at (time its W bytes finished at their rates) + L, and holds no bandwidth during L;
//   4. waits for the receiver's CPU (one message at a time, in arrival order) and pays recv_overhead there; then
//      it is delivered.
// One message alone therefore takes send_overhead + W / B + L + recv_overhead, where B, its bottleneck, is the
// smallest capacity on its route (link bandwidths and the capacities of switches it crosses); FifoNetwork takes
// sum(W / bw_i) instead of W / B, so the two agree on single-link routes.
//
// Sharing. The flows' rates are the weighted max-min fair allocation that MaxMinSolver computes (maxmin_solver.hpp
// explains the model, how the incremental solve works and why it is exact), every flow of weight 1. Its
// resources are the link directions (ids 0 .. 2 x links - 1, capacity: the link's bandwidth), then the switches
// that have a `capacity` (SwitchSpec::capacity, in vertex order), so that ties between resources full at the same
// level go to link directions first. A flow uses every link direction of its route and every switch with a
// capacity that it passes through (a switch between two of its links; counted once per flow, whatever the ports
// it uses: the sum of the rates through the switch is compared with the capacity, not a datasheet's "ports x rate
// x 2"). Changes at one instant are batched: the first flow that begins or ends at time t schedules one "solve"
// event at t, which runs after every event already queued at t (no simulated time passes in between, so the
// stale rates meanwhile move no bytes). Each rate class of the solver has one engine event, at its next member's
// end. Flows that end at the same picosecond are handed to their receivers in the order they were started, by one
// event per route latency among them (a batch), not one per message.
//
// Timing of a delivered message (TransferTiming; the four parts add up to delivered - started exactly):
//   overhead      = send_overhead + recv_overhead;
//   latency       = L, the route latency above;
//   serialization = W / B (B its bottleneck alone, above), the time its bytes would take with the route to itself,
//                   but never more than the flow actually took (rounding to picoseconds can make those equal);
//   waiting       = the rest: queueing for the sender's and the receiver's CPU, plus the flow's duration beyond
//                   W / B, i.e. the time lost to sharing.
// Counters: per node payload sent (when started) and received (when delivered); per link direction the wire
// bytes of every flow that crossed it, and busy time = the sum of W / bandwidth over those flows (what
// FifoNetwork counts, so the two models' busy times compare; with sharing, the direction was occupied at least
// that long). Timelines: each flow reports, on every link direction of its route, the interval from its begin to
// its last byte sent (NetContext::link_busy); concurrent flows' intervals overlap.

#include <cstdint>
#include <utility>
#include <vector>

#include "shardsim/net/maxmin_solver.hpp"
#include "shardsim/net/message_path.hpp"
#include "shardsim/net/network_model.hpp"

namespace shardsim::net {

class FairNetwork final : public NetworkModel {
 public:
  // Requires a sealed topology, a positive mtu and positive switch capacities.
  FairNetwork(const topo::Topology& topology, NetworkOptions options);

  void start(Time now, const TransferRequest& request, NetContext& ctx) override;
  void handle(Time now, const NetEvent& event, NetContext& ctx) override;
  const NetCounters& counters() const override { return path_.counters(); }
  std::size_t in_flight() const override { return path_.in_flight(); }
  // network_model.hpp's message_bytes_bound for this model.
  static std::size_t message_bytes_bound(std::size_t route_links);

  // Diagnostics (tests and benchmarks): the solver's flows, classes and counts of solves, splits and merges.
  const MaxMinSolver& solver() const { return solver_; }

 private:
  using ResourceId = MaxMinSolver::ResourceId;
  using FlowId = MaxMinSolver::FlowId;
  using ClassId = MaxMinSolver::ClassId;

  // What the fair model keeps per message: its start order, which ranks flows that end at the same picosecond, and
  // when its sender's CPU was done and its bytes began to flow. While it flows, its serialization holds W / B, its
  // duration with the route to itself (B its bottleneck alone).
  struct Started {
    std::uint64_t seq = 0;
    Time begin;
  };
  // A rate class's engine event, by solver class id.
  struct ClassTimer {
    core::EventId event = core::no_event;
    Time at;
  };

  void begin_flow(Time now, TransferId id, NetContext& ctx);  // the sender's CPU is done
  void class_done(Time now, ClassId k, NetContext& ctx);      // a class's next member may have sent its bytes
  void end_flow(Time now, FlowId f, NetContext& ctx);
  void arrived(Time now, std::uint32_t batch, NetContext& ctx);  // a batch's last bytes reached their receivers
  void request_solve(Time now, NetContext& ctx);
  void solve(Time now, NetContext& ctx);
  void set_timer(ClassId k, std::optional<Time> at, NetContext& ctx);

  MessagePath<Started> path_;
  MaxMinSolver solver_;
  ResourceId dir_links_ = 0;                 // resources 0 .. dir_links_ - 1 are the link directions
  std::vector<ResourceId> switch_resource_;  // per vertex: its resource, or -1 (no capacity, or a node)
  std::vector<TransferId> flows_;  // by solver flow id (whose resources below dir_links_ are its route's link directions)
  std::vector<ClassTimer> timers_;
  // Transfers whose flow ended (or that had none) since the last solve, with their start order: sorted as pairs
  // side by side, a million ends at one instant need no look-up per comparison.
  std::vector<std::pair<std::uint64_t, TransferId>> ended_;
  // Messages whose last bytes arrive at one time, in the order they were started, by batch id (NetEvent::transfer
  // of their kArrived event); emptied batches are reused.
  std::vector<std::vector<TransferId>> batches_;
  std::vector<std::uint32_t> free_batches_;
  std::uint64_t next_seq_ = 0;
  bool solve_pending_ = false;
  // Scratch.
  std::vector<topo::DirLinkId> route_;
  std::vector<ResourceId> resources_;
  std::vector<FlowId> done_;
};

}  // namespace shardsim::net
