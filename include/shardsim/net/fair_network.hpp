#pragma once
// The max-min fair flow-level network model (`network.model = "fair"`). Messages become fluid flows that cross
// every link of their route at once and share each link direction, and each switch with a capacity, max-min
// fairly. Times are integer picoseconds, rates bytes per second (double), bytes still to send doubles.
//
// A message of S payload bytes has W = wire_bytes(S) bytes on the wire (framing, network_model.hpp). It
//   1. waits for its sender's CPU, which handles one message at a time, and pays send_overhead there (as in
//      FifoNetwork);
//   2. becomes a flow over its route: its bytes are sent at one rate r(t) on every link of the route at once
//      (frames pipelined across hops: no store-and-forward), until W bytes have been sent;
//   3. propagates: its last byte arrives route latency L after it was sent, where L = the route's link latencies
//      + the forwarding latency of every switch it crosses (what Topology::route_latency sums, for the route this
//      message takes). As in SimGrid's network model, latency and bandwidth are not mixed: the transfer has
//      arrived at (time its W bytes finished at their rates) + L, and holds no bandwidth during L;
//   4. waits for the receiver's CPU (one message at a time, in arrival order) and pays recv_overhead there; then
//      it is delivered.
// One message alone therefore takes send_overhead + W / B + L + recv_overhead, where B, its bottleneck, is the
// smallest capacity on its route (link bandwidths and the capacities of switches it crosses); FifoNetwork takes
// sum(W / bw_i) instead of W / B, so the two agree on single-link routes.
//
// Sharing. The resources are the link directions (capacity: the link's bandwidth) and the switches that have a
// `capacity` (SwitchSpec::capacity). A flow uses every link direction of its route and every switch with a
// capacity that it passes through (a switch between two of its links; counted once per flow, whatever the ports
// it uses: the sum of the rates through the switch is compared with the capacity, not a datasheet's "ports x rate
// x 2"). At every moment the rates of the active flows are their max-min fair allocation (Bertsekas & Gallager,
// "Data Networks", 6.5.2): no flow can get more without taking from a flow that has no more than it. It is the
// result of progressive filling: raise all unfixed rates together; when a resource is full (its capacity divided
// among its unfixed flows), fix those flows at that level and take their rate from the other resources they use;
// repeat until every flow is fixed. Ties between resources full at the same level go to the smaller resource id
// (link directions, then switches in vertex order). Rates change only when flows start or finish.
//
// How it is computed, and why it is exact.
//  * Certificate. A feasible allocation is the max-min fair one (which is unique) iff every flow has a
//    bottleneck: a resource it uses that is full and on which no flow is faster (B&G Prop. 6.5.1). So flows with
//    the same bottleneck have the same rate.
//  * Rate classes. Flows are kept in classes that share one rate and one bottleneck, which all members use
//    (members may differ in their other resources: a class counts its members on each resource). A class sends
//    `rate` bytes/s to each member and counts `served`, the bytes each member has been sent since the class was
//    made (processor-sharing virtual time); a member ends when `served` reaches its target (`served` when it
//    joined + its bytes). A new rate costs O(1) per class however many flows it holds, and one engine event per
//    class (its next member to end) replaces one per flow. A class is solved as a unit; the filling below splits
//    it (moving members) exactly when progressive filling would give its members different rates.
//  * Tight resources. Only "tight" resources constrain the solve. A resource becomes tight when a flow whose
//    route has no tight resource starts (its smallest-capacity resource), or when the solution overloads it; it
//    stops being tight when it is no class's bottleneck and less than half full (a resource that is not full
//    binds no one, so no rate changes). The max-min allocation under the tight constraints alone is the max-min
//    allocation of the network as long as it overloads no other resource (optimal on a larger feasible set, and
//    feasible in the smaller one). That is checked without visiting their flows: every other resource keeps an
//    upper bound of its load, bound_load x exp(phi - bound_phi), where phi adds, at every solve, the log of the
//    largest factor by which any class's rate grew (a flow that joins it adds its rate). Only a resource whose
//    bound reaches its capacity is summed exactly, O(its flows); above capacity (by more than 1e-9, relative), it
//    becomes tight and the solve is repeated.
//  * Incremental solve. Changes at one instant are batched: the first start or finish at time t schedules one
//    "solve" event at t, which runs after every event already queued at t (no simulated time passes in between,
//    so the stale rates meanwhile move no bytes). D, the classes that get new rates, starts as the classes that
//    gained or lost members (a new flow starts as a class of its own) and the classes whose bottleneck they or the
//    finished flows use; T is the tight resources of D and of the finished flows. Each round solves D by
//    progressive filling (below) on the capacity the other classes leave on T, then checks what that may have
//    broken: a class of D whose bottleneck carries a faster class brings that class into D; a class outside D
//    whose bottleneck is in T must find it still full and no faster class there, or it joins D. (A class whose
//    bottleneck is outside T keeps it: no rate there changed.) When a round adds nothing, every class has a
//    bottleneck, so the rates are the max-min allocation, and the classes outside D did not need new rates. D
//    grows only through tight resources shared with it, so it stays within the connected component of the change;
//    after kMaxRounds = 8 rounds the whole component is solved at once. "Full" and "no faster" allow a relative
//    1e-9 (rates are doubles).
//  * Progressive filling of D: a binary heap of T's resources keyed by fair share (capacity left / members of D
//    not yet fixed), ties to the smaller resource id. When a resource fills, each unfixed class using it is fixed
//    at that level with it as bottleneck; a class only some of whose members use it is split, the members using it
//    forming the new, fixed class, unless the class's own bottleneck is full at this same level (a tie: then the
//    whole class is fixed here and keeps its bottleneck).
//  * After the solve, classes with the same bottleneck, a bitwise equal rate and the same tight resources each
//    used by all their members are merged into the largest (no rate changes).
// Cost of a solve: per round O(sum over T of the classes using each + h log h), h = the tight resources D's
// classes use; plus O(route length + log members) per flow that starts, ends or is moved by a split or merge, and
// the bound checks. 40 000 flows held back by one uplink, whose other resources are not tight (the senders' and
// receivers' links), are one class: a flow joining them costs as much as one joining an idle link. Every
// container is a vector visited in a fixed order, so runs repeat exactly; nothing is allocated per event once
// the pools have grown to their peak. Flows that end at the same picosecond are handed to their receivers in the
// order they were started.
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

  // Diagnostics (tests and benchmarks): flows sharing the network now (sent by their CPU, bytes not all sent),
  // their rate classes, solve events run, classes they gave new rates (summed), solves that fell back to a whole
  // component, resources made tight, classes split and merged.
  std::size_t active_flows() const { return flows_.size() - free_flows_.size(); }
  std::size_t rate_classes() const { return classes_.size() - free_classes_.size(); }
  std::uint64_t solves() const { return solves_; }
  std::uint64_t classes_resolved() const { return classes_resolved_; }
  std::uint64_t component_solves() const { return component_solves_; }
  std::uint64_t tightenings() const { return tightenings_; }
  std::uint64_t class_splits() const { return splits_; }
  std::uint64_t class_merges() const { return merges_; }

 private:
  using FlowId = std::uint32_t;
  using ClassId = std::uint32_t;
  using ResourceId = std::int32_t;
  static constexpr ClassId kNoClass = 0xffffffffu;
  static constexpr std::uint32_t kFreed = 0xffffffffu;  // Class::members of a freed slot

  struct Transfer {
    TransferRequest request;
    std::uint64_t seq = 0;  // start order: ties between flows ending at the same instant go to the smaller
    Bytes wire;
    FlowId flow = 0;        // while its bytes are being sent
    Time flow_begin;        // when its CPU finished sending and its flow began
    Time alone;             // W / bottleneck: its flow's duration with the route to itself
    TransferTiming timing;
  };

  // A flow on a resource, with its class (kept here too, so that a resource's flows can be summed or grouped by
  // class without visiting them).
  struct Entry {
    FlowId flow;
    ClassId cls;
  };
  // A flow's use of one resource: which, and where the flow sits in that resource's `flows`.
  struct Hop {
    ResourceId resource = 0;
    std::uint32_t slot = 0;
  };

  struct Flow {
    ClassId cls = kNoClass;
    std::uint32_t generation = 0;  // bumped whenever it leaves a class: older heap entries are stale
    double target = 0;             // its class's `served` at which its bytes are all sent
    std::uint64_t seq = 0;         // its transfer's
    TransferId transfer = 0;
    std::vector<Hop> hops;         // kept between uses of the slot, so that it does not reallocate
  };

  // A class's members crossing one tight resource, and where the class sits in that resource's `users`.
  struct Use {
    ResourceId resource = 0;
    std::uint32_t count = 0;
    std::uint32_t slot = 0;
  };
  struct User {
    ClassId cls = 0;
    std::uint32_t slot = 0;  // in the class's `uses`
  };
  struct Member {
    double target;
    std::uint64_t seq;
    FlowId flow;
    std::uint32_t generation;
  };

  struct Class {
    double rate = 0;       // bytes/s per member
    double served = 0;     // bytes each member has been sent since the class was made, as of `updated`
    Time updated;
    std::uint32_t members = 0;
    ResourceId bottleneck = -1;
    std::uint32_t bottleneck_slot = 0;  // in that resource's `bottlenecked`
    std::vector<Use> uses;              // tight resources its members cross
    std::vector<Member> heap;           // members by (target, seq), smallest first; stale entries skipped
    core::EventId event = core::no_event;
    Time finish;                        // when `event` is
    // Solver scratch.
    double new_rate = 0;
    double ref_rate = 0;       // the rate its members had before this solve (0 for new flows)
    std::uint64_t in_set = 0;  // == solve_id_: in D
    std::uint64_t listed = 0;  // == solve_id_: in changed_classes_
    bool fixed = false;
  };

  struct Resource {
    double capacity = 0;             // bytes/s
    bool tight = false;
    double load = 0;                 // tight: sum over users of rate x count, kept up to date
    std::vector<Entry> flows;        // active flows using it
    std::vector<User> users;         // tight: classes with members using it
    std::vector<ClassId> bottlenecked;
    // Not tight: its load is at most bound_load x exp(phi_ - bound_phi).
    double bound_load = 0;
    double bound_phi = 0;
    std::uint32_t bound_version = 0;  // bumped to discard older entries of bounds_
    // Solver scratch.
    double left = 0;
    double delta = 0;
    double dirty_peak = 0;
    std::uint64_t unfixed = 0;
    std::uint32_t dirty_users = 0;
    std::uint32_t version = 0;  // bumped whenever left/unfixed change, to discard stale heap entries
    std::uint64_t in_set = 0;   // == solve_id_: in T
    std::uint64_t round = 0;    // filling step in which `left` last changed
    std::uint64_t checked = 0;  // verification pass that checked the classes it is the bottleneck of
    std::uint64_t merged = 0;   // solve that merged the classes it is the bottleneck of
  };

  struct HeapEntry {
    double share;  // left / unfixed when pushed
    ResourceId resource;
    std::uint32_t version;
  };
  struct BoundEntry {
    double key;  // phi_ at which the resource's bound reaches its capacity
    ResourceId resource;
    std::uint32_t version;
  };

  TransferId new_transfer();
  void begin_flow(Time now, TransferId id, NetContext& ctx);  // the sender's CPU is done
  void class_done(Time now, ClassId k, NetContext& ctx);      // a class's next member may have sent its bytes
  void end_flow(Time now, FlowId f);
  void arrive(Time now, TransferId id, NetContext& ctx);      // last byte at the receiver
  void deliver(Time now, TransferId id, NetContext& ctx);     // receiver's CPU is done
  void request_solve(Time now, NetContext& ctx);
  void solve(Time now, NetContext& ctx);

  // Classes and their members.
  ClassId new_class(Time now);
  void free_class(ClassId k, NetContext& ctx);
  void settle(Class& c, Time now);  // brings `served` to now
  void join(FlowId f, ClassId k, double remaining, Time now);
  double leave(FlowId f, Time now);  // returns its bytes still to send
  void add_use(ClassId k, ResourceId r);
  void remove_use(ClassId k, ResourceId r);
  const Member* next_member(Class& c);
  void schedule_class(ClassId k, Time now, NetContext& ctx);
  void set_bottleneck(ClassId k, ResourceId r);  // r = -1: none
  void list_changed(ClassId k);

  // Resources.
  void add_flow_to(FlowId f, std::size_t hop);
  void remove_flow_from(FlowId f, std::size_t hop);
  void tighten(ResourceId r);
  void untighten(ResourceId r);
  void push_bound(ResourceId r);

  // The solve.
  void add_resource(ResourceId r);  // to T
  void add_dirty(ClassId k);        // to D, and its tight resources to T
  void solve_rates(Time now);       // rounds of fill and verify, or the whole component
  void fill(Time now);              // progressive filling of D on what the other classes leave on T
  ClassId split(ClassId k, ResourceId r, Time now);
  bool tied(const Class& c, double level) const;  // its bottleneck, still filling, is full at `level` too
  bool verify();                    // true if every class has a bottleneck; otherwise D grew
  void commit(Time now);            // D's new rates; phi_ grows by their largest increase
  bool check_bounds();              // false if a resource was made tight (then solve again)
  void merge_classes(Time now, NetContext& ctx);
  static bool same_kind(const Class& a, const Class& b);

  const topo::Topology& topology_;
  NetworkOptions options_;
  std::vector<ResourceId> switch_resource_;  // per vertex: its resource, or -1 (no capacity, or a node)

  std::vector<Transfer> transfers_;  // slots, reused through free_transfers_
  std::vector<TransferId> free_transfers_;
  std::vector<Flow> flows_;          // slots, reused through free_flows_
  std::vector<FlowId> free_flows_;
  std::vector<Class> classes_;       // slots, reused through free_classes_
  std::vector<ClassId> free_classes_;
  std::vector<Resource> resources_;  // link directions 0 .. 2 * links - 1, then switches with a capacity
  std::vector<Time> send_free_;      // per node: when its CPU may next send
  std::vector<Time> recv_free_;      // per node: when its CPU may next receive

  // Changes since the last solve.
  std::vector<FlowId> started_;            // flows that began, not yet in a class
  std::vector<ClassId> changed_classes_;   // classes that lost members
  std::vector<ResourceId> touched_;        // tight resources of flows that ended
  std::vector<TransferId> ended_;          // transfers whose flow ended
  bool solve_pending_ = false;

  // Scratch reused by every solve.
  std::uint64_t solve_id_ = 0;
  std::uint64_t stamp_ = 0;  // filling steps and verification passes
  bool force_component_ = false;
  double phi_ = 0;           // log of the product of the largest rate growth at every solve
  std::vector<ClassId> dirty_;             // D
  std::vector<ResourceId> set_resources_;  // T
  std::vector<ResourceId> changed_;
  std::vector<HeapEntry> heap_;
  std::vector<BoundEntry> bounds_;         // min-heap of non-tight resources by key
  std::vector<FlowId> new_flows_;
  std::vector<ClassId> kinds_;
  std::vector<ClassId> merging_;
  std::vector<topo::DirLinkId> route_;

  std::uint64_t next_seq_ = 0;
  std::uint64_t solves_ = 0;
  std::uint64_t classes_resolved_ = 0;
  std::uint64_t component_solves_ = 0;
  std::uint64_t tightenings_ = 0;
  std::uint64_t splits_ = 0;
  std::uint64_t merges_ = 0;
  NetCounters counters_;
  std::size_t in_flight_ = 0;
};

}  // namespace shardsim::net
