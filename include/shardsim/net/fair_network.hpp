#pragma once
// The max-min fair flow-level network model (`network.model = "fair"`). Messages become fluid flows that cross
// every link of their route at once and share each link direction, and each switch with a capacity, max-min
// fairly. Times are integer picoseconds, rates bytes per second (double), a flow's remaining bytes a double.
//
// A message of S payload bytes has W = wire_bytes(S) bytes on the wire (framing, network_model.hpp). It
//   1. waits for its sender's CPU, which handles one message at a time, and pays send_overhead there (as in
//      FifoNetwork);
//   2. becomes a flow over its route: all its bytes are sent at one rate r(t) on every link of the route at once
//      (frames pipelined across hops: no store-and-forward), until W bytes have been sent;
//   3. propagates: the last byte arrives route latency L after it was sent, where L = sum of the route's link
//      latencies + the forwarding latency of every switch it crosses (what Topology::route_latency sums, for the
//      route this message takes). As in SimGrid's network model, latency and bandwidth are not mixed: the
//      transfer has arrived at (time its W bytes finished at their rates) + L, and holds no bandwidth during L;
//   4. waits for the receiver's CPU (one message at a time, in arrival order) and pays recv_overhead there; then
//      it is delivered.
// One message alone therefore takes send_overhead + W / B + L + recv_overhead, where B, its bottleneck, is the
// smallest capacity on its route (link bandwidths and the capacities of switches it crosses); FifoNetwork takes
// sum(W / bw_i) instead of W / B, so the two agree on single-link routes.
//
// Sharing. The resources are the link directions (capacity: the link's bandwidth) and the switches that have a
// `capacity` (SwitchSpec::capacity). A flow uses every link direction of its route and every switch with a
// capacity that it passes through (a switch between two of its links; counted once per flow, whatever the
// ports it uses; compare the sum of rates through the switch, not a datasheet's "ports x rate x 2"). At every
// moment the rates of the active flows are their max-min fair allocation (Bertsekas & Gallager, "Data
// Networks", 6.5.2): no flow can get more without taking from a flow that has no more than it. They are
// computed by progressive filling: raise all unfixed flows' rates together; when a resource is full (its
// capacity divided among its unfixed flows), fix those flows at that level and take their rate from the other
// resources they use; repeat until every flow is fixed. Ties between resources full at the same level go to the
// smaller resource id (link directions, then switches in vertex order), so the arithmetic is the same on every
// run. Rates change only when a flow starts or finishes, and are re-solved then (below).
//
// Incremental re-solve, and why it is exact. A feasible allocation is the max-min fair one (which is unique) if
// and only if every flow has a bottleneck: a resource it uses that is full and on which no flow is faster than it
// (Bertsekas & Gallager, Prop. 6.5.1 / the "bottleneck lemma"). Every flow remembers such a resource. Changes at
// one instant are batched: the first start or finish at time t schedules one "solve" event at t, which runs after
// every event already queued at t (no simulated time passes in between, so the stale rates meanwhile move no
// bytes). The solve then:
//   1. makes the set D of flows whose rates it recomputes: the flows that started; the resource set T is the
//      resources used by D and by the flows that finished. Every flow outside D keeps its rate.
//   2. solves D by progressive filling on the capacity the other flows leave on T;
//   3. checks the bottlenecks it may have broken, against the new rates: a flow of D whose bottleneck carries a
//      faster flow brings those flows into D; a flow outside D whose remembered bottleneck is in T must still have
//      a bottleneck (that one, or another resource of its route, which it then remembers), or it joins D. A flow
//      whose bottleneck is outside T needs no check: no rate on that resource changed, so it is still full and
//      the flow still the fastest there;
//   4. if D grew, goes back to 2 with the larger D and T.
// When a round finds nothing to add, every flow has a bottleneck, so the rates are the max-min fair allocation:
// the same as solving everything again, and the flows outside D did not need new rates. D only grows through
// shared resources, so it never leaves the connected component of the change (the flows reachable from the
// changed flows through shared resources: the allocation of a component does not depend on any other), and
// after kMaxRounds = 8 rounds the whole component is solved at once. "Full" and "no faster flow" are checked
// with a relative slack of 1e-9 (rates are doubles); the results are still the same on every run, since every
// container is a vector visited in a fixed order. A flow of D whose new rate differs from its old one has its
// remaining bytes advanced at its old rate to now, and its completion event cancelled and scheduled again at
// now + remaining / new rate (rounded to the picosecond); other flows keep their events.
// Cost of one round, with D's flows using resources T: O(sum over T of the flows on each) to compute what the
// other flows leave and to check them, plus O(h log h) for progressive filling (h = sum of D's route lengths: a
// binary heap of resources keyed by fair share, one push per resource per filling step), plus O(|D|) reschedules.
// In the common cases D is the new flow alone (its route has spare capacity, or it is alone) or the flows of the
// one resource it fills; the component bound holds for any traffic. Flows that end at the same picosecond are
// handed to the receivers in the order they were started (their transfer sequence number), so ties never depend
// on heap layout. Nothing is allocated per event once the pools have grown to the peak number of flows in
// flight.
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
// that long).

#include <cstdint>
#include <vector>

#include "shardsim/net/network_model.hpp"

namespace shardsim::net {

class FairNetwork final : public NetworkModel {
 public:
  // Requires a sealed topology, a positive mtu and positive switch capacities.
  FairNetwork(const topo::Topology& topology, NetworkOptions options);

  void start(Time now, const TransferRequest& request, NetContext& ctx) override;
  void handle(Time now, const NetEvent& event, NetContext& ctx) override;
  const NetCounters& counters() const override { return counters_; }
  std::size_t in_flight() const override { return in_flight_; }

  // Flows currently sharing the network (sent by their CPU, bytes not yet all sent). For tests and diagnostics.
  std::size_t active_flows() const { return flows_.size() - free_flows_.size(); }
  // Solve events run so far, flows whose rates they recomputed (summed), and solves that fell back to a whole
  // component (for benchmarks and diagnostics).
  std::uint64_t solves() const { return solves_; }
  std::uint64_t flows_resolved() const { return flows_resolved_; }
  std::uint64_t component_solves() const { return component_solves_; }

 private:
  using FlowId = std::uint32_t;
  using ResourceId = std::int32_t;

  struct Transfer {
    TransferRequest request;
    std::uint64_t seq = 0;  // start order: ties between flows ending at the same instant go to the smaller
    Bytes wire;
    FlowId flow = 0;        // while its bytes are being sent
    Time flow_begin;        // when its CPU finished sending and its flow began
    Time alone;             // W / bottleneck: its flow's duration with the route to itself
    TransferTiming timing;
  };

  // A flow's use of one resource: which, and where the flow sits in that resource's list of flows.
  struct Hop {
    ResourceId resource = 0;
    std::uint32_t slot = 0;
  };

  struct Flow {
    // Read by every solve that reaches the flow: kept together at the front.
    double new_rate = 0;         // the rate being solved; equal to `rate` outside a solve
    double rate = 0;             // bytes/s since `updated` (0 until its first solve)
    std::uint64_t in_set = 0;    // == solve_id_: in D, the flows the current solve gives new rates
    ResourceId bottleneck = -1;  // a full resource of its route on which no flow is faster (-1: none yet)
    std::uint32_t bottleneck_slot = 0;  // its place in that resource's `bottlenecked`
    bool fixed = false;          // progressive filling: its rate is set
    std::vector<Hop> hops;       // kept between uses of the slot, so that it does not reallocate
    // Read when its rate changes.
    double remaining = 0;        // bytes left to send at `updated`
    Time updated;
    Time finish;                 // when its completion event is scheduled
    core::EventId event = core::no_event;
    TransferId transfer = 0;
  };

  struct Resource {
    double capacity = 0;                // bytes/s
    double load = 0;                    // sum of its flows' rates (`rate`), kept up to date
    std::vector<FlowId> flows;          // active flows using it
    std::vector<FlowId> bottlenecked;   // active flows whose bottleneck it is
    // Solver scratch.
    double left = 0;                    // capacity not yet given to fixed flows
    double delta = 0;                   // what the dirty flows' new rates add to `load`
    double dirty_peak = 0;              // fastest dirty flow's new rate
    std::uint32_t unfixed = 0;          // its flows of D not yet fixed
    std::uint32_t version = 0;          // bumped whenever left/unfixed change, to discard stale heap entries
    std::uint64_t in_set = 0;           // == solve_id_: in T
    std::uint64_t round = 0;            // filling step in which `left` last changed
    std::uint64_t checked = 0;          // verification pass that checked the dirty flows it is the bottleneck of
  };

  struct HeapEntry {
    double share;  // left / unfixed when pushed
    ResourceId resource;
    std::uint32_t version;
  };

  TransferId new_transfer();
  void begin_flow(Time now, TransferId id, NetContext& ctx);    // the sender's CPU is done
  void end_flow(Time now, TransferId id, NetContext& ctx);      // all bytes sent
  void arrive(Time now, TransferId id, NetContext& ctx);        // last byte at the receiver
  void deliver(Time now, TransferId id, NetContext& ctx);       // receiver's CPU is done
  void request_solve(Time now, NetContext& ctx);
  void solve(Time now, NetContext& ctx);
  void add_resource(ResourceId r);  // to T
  void add_dirty(FlowId f);         // to D, and its resources to T
  void fill();                      // progressive filling of D on what the other flows leave on T
  bool verify();                    // true if every flow has a bottleneck; otherwise D grew
  void set_bottleneck(FlowId f, ResourceId r);  // r = -1: none
  void add_to_resource(FlowId f, std::size_t hop);
  void remove_from_resource(FlowId f, std::size_t hop);

  const topo::Topology& topology_;
  NetworkOptions options_;
  std::vector<ResourceId> switch_resource_;  // per vertex: its resource, or -1 (no capacity, or a node)

  std::vector<Transfer> transfers_;  // slots, reused through free_transfers_
  std::vector<TransferId> free_transfers_;
  std::vector<Flow> flows_;          // slots, reused through free_flows_
  std::vector<FlowId> free_flows_;
  std::vector<Resource> resources_;  // link directions 0 .. 2 * links - 1, then switches with a capacity
  std::vector<Time> send_free_;      // per node: when its CPU may next send
  std::vector<Time> recv_free_;      // per node: when its CPU may next receive

  // Changes since the last solve: flows that started, resources of flows that ended, transfers whose flow ended.
  std::vector<FlowId> started_;
  std::vector<ResourceId> touched_;
  std::vector<TransferId> ended_;
  bool solve_pending_ = false;

  // Scratch reused by every solve.
  std::uint64_t solve_id_ = 0;
  std::uint64_t stamp_ = 0;  // filling steps and verification passes
  bool force_component_ = false;
  std::vector<FlowId> dirty_;             // D
  std::vector<ResourceId> set_resources_;  // T
  std::vector<ResourceId> changed_;
  std::vector<HeapEntry> heap_;
  std::vector<topo::DirLinkId> route_;

  std::uint64_t next_seq_ = 0;
  std::uint64_t solves_ = 0;
  std::uint64_t flows_resolved_ = 0;
  std::uint64_t component_solves_ = 0;
  NetCounters counters_;
  std::size_t in_flight_ = 0;
};

}  // namespace shardsim::net
