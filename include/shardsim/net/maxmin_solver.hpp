#pragma once
// Max-min fair sharing of resources among flows, solved incrementally. No engine, no topology, no messages: the
// caller adds resources (a capacity, in units per second) and flows (the resources each uses, a weight, an amount
// of units to move), and reads rates out; the solver also tells when each flow's amount is done at those rates.
// The fair network model (fair_network.hpp) is one user: link directions and switches are its resources, bytes
// its units. Times are integer picoseconds, rates units per second (double), amounts doubles.
//
// The model. Flow f has weight w_f > 0 and uses a set of resources; resource r has capacity C_r > 0. Rates x_f
// are feasible when every resource carries no more than its capacity: sum of x_f over the flows using r <= C_r.
// The weighted max-min fair allocation is the feasible one in which no flow can get more without taking from a
// flow whose rate per unit weight is no larger than its own (Bertsekas & Gallager, "Data Networks", 6.5.2, with
// weights). It is the result of progressive filling: raise a level L from 0 and give every unfixed flow w_f x L;
// when a resource is full (its capacity left divided by the weights of its unfixed flows is L), fix its unfixed
// flows at w_f x L and take that from the other resources they use; repeat until every flow is fixed. So a flow
// of weight 3 gets three times what a flow of weight 1 gets on the resource that holds both back. Ties between
// resources full at the same level go to the smaller resource id. Rates change only when flows come or go.
//
// How it is computed, and why it is exact.
//  * Certificate. A feasible allocation is the max-min fair one (which is unique) iff every flow has a
//    bottleneck: a resource it uses that is full and on which no flow has a larger rate per unit weight (B&G
//    Prop. 6.5.1). So flows of equal weight with the same bottleneck have the same rate.
//  * Rate classes. Flows are kept in classes that share one weight, one rate and one bottleneck, which all members
//    use (members may differ in their other resources: a class counts its members on each resource). A class
//    moves `rate` units/s for each member and counts `served`, the units each member has been given since the
//    class was made (processor-sharing virtual time); a member is done when `served` reaches its target (`served`
//    when it joined + its amount). A new rate costs O(1) per class however many flows it holds, and a caller
//    needs one timer per class (its next member to be done) rather than one per flow. A class is solved as a
//    unit; the filling below splits it (moving members) exactly when progressive filling would give its members
//    different rates.
//  * Tight resources. Only "tight" resources constrain the solve. A resource becomes tight when a flow none of
//    whose resources is tight is added (its smallest-capacity resource), or when the solution overloads it; it
//    stops being tight when it is no class's bottleneck and less than half full (a resource that is not full
//    binds no one, so no rate changes). The max-min allocation under the tight constraints alone is the max-min
//    allocation of the whole system as long as it overloads no other resource (optimal on a larger feasible set,
//    and feasible in the smaller one). That is checked without visiting their flows: every other resource keeps
//    an upper bound of its load, bound_load x exp(phi - bound_phi), where phi adds, at every solve, the log of
//    the largest factor by which any class's rate grew (a flow that joins it adds its rate). Only a resource whose
//    bound reaches its capacity is summed exactly, O(its flows); above capacity (by more than 1e-9, relative), it
//    becomes tight and the solve is repeated.
//  * Incremental solve. solve() re-rates what changed since the last call, however many flows came and went. D,
//    the classes that get new rates, starts as the classes that gained or lost members (new flows of one weight
//    over the same tight resources start as one new class: filling sees only tight resources, so it would give
//    them one rate and one bottleneck anyway) and the classes whose bottleneck they or the removed flows use; T is the tight resources
//    of D and of the removed flows. Each round solves D by progressive filling (below) on the capacity the other
//    classes leave on T, then checks what that may have broken: a class of D whose bottleneck carries a class of
//    higher level (rate per unit weight) brings that class into D; a class outside D whose bottleneck is in T
//    must find it still full and no class of higher level there, or it joins D. (A class whose bottleneck is
//    outside T keeps it: no rate there changed.) When a round adds nothing, every class has a bottleneck, so the
//    rates are the max-min allocation, and the classes outside D did not need new rates. D grows only through
//    tight resources shared with it, so it stays within the connected component of the change; after
//    kMaxRounds = 8 rounds the whole component is solved at once. "Full" and "no higher" allow a relative 1e-9
//    (rates are doubles).
//  * Progressive filling of D: a binary heap of T's resources keyed by fair share (capacity left / weight of the
//    members of D not yet fixed), ties to the smaller resource id. When a resource fills, each unfixed class
//    using it is fixed at that level with it as bottleneck; a class only some of whose members use it is split,
//    the members using it forming the new, fixed class, unless the class's own bottleneck is full at this same
//    level (a tie: then the whole class is fixed here and keeps its bottleneck).
//  * After the solve, classes with the same bottleneck, weight, a bitwise equal rate and the same tight resources
//    each used by all their members are merged into the largest (no rate changes).
// Cost of a solve: per round O(sum over T of the classes using each + h log h), h = the tight resources D's
// classes use; plus O(resources per flow + log members) per flow that comes, goes or is moved by a split or
// merge, and the bound checks. 40 000 flows held back by one resource, whose other resources are not tight, are
// one class: a flow joining them costs as much as one joining an idle resource. Every container is a vector
// visited in a fixed order, so runs repeat exactly; nothing is allocated per call once the pools have grown to
// their peak.
//
// Completions. Members of a class complete in (target, order) order, `order` being the caller's rank for the
// flow. A caller keeps one timer per class at next_completion(); when it fires, complete_due() ends the members
// done by then (to the picosecond), then solve() re-rates what they leave. A solve changes classes' rates,
// members and existence; timers() lists, in order, each class whose next completion it may have moved, with
// that completion (or none: the class is gone or empty), so that the caller can move its timers in the same
// order every run.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "shardsim/util/units.hpp"

namespace shardsim::net {

class MaxMinSolver {
 public:
  using ResourceId = std::int32_t;
  using FlowId = std::uint32_t;
  using ClassId = std::uint32_t;

  // A class whose next completion a solve may have moved, and that completion as of the solve (none: the class is
  // gone or has no member).
  struct Timer {
    ClassId cls = 0;
    std::optional<Time> at;
  };

  // An upper bound of the bytes the solver keeps for one flow over `resources` resources: its slot and hops, its
  // entries on the resources, a class of its own (its uses of the resources, heap entries of its member, a timer)
  // and its ids in the change lists, twice over for the vectors' doubling. A class's heap keeps stale entries
  // until they come to its top; counted here as four per member.
  static std::size_t flow_bytes_bound(std::size_t resources);

  // A resource of `capacity` units per second (> 0). Ids count up from 0 in the order resources are added.
  ResourceId add_resource(double capacity);
  std::size_t resource_count() const { return resources_.size(); }
  double capacity(ResourceId r) const { return resources_[static_cast<std::size_t>(r)].capacity; }

  // A flow of `amount` units (>= 0) over `resources` (at least one, each at most once), with weight > 0. `order`
  // ranks flows of one class done at the same picosecond (smaller first). The flow counts on its resources at once
  // but has no rate, and moves nothing, until the next solve().
  FlowId add_flow(std::span<const ResourceId> resources, double amount, std::uint64_t order, double weight = 1);
  // Takes flow f out at `now`, whether or not its amount is done; the next solve re-rates what it leaves. Its id
  // may be handed out again by add_flow.
  void remove_flow(FlowId f, Time now);
  // New rates for every flow the changes since the last solve can reach (see the header comment).
  void solve(Time now);

  // Flow f's rate (units per second) as of the last solve, 0 before its first; its class; its units still to move
  // at `now` at that rate.
  double rate(FlowId f) const;
  ClassId class_of(FlowId f) const { return flows_[f].cls; }
  double remaining(FlowId f, Time now) const;
  // The resources flow f uses, in the order add_flow was given them. A flow that complete_due() or remove_flow()
  // took out keeps them until its id is handed out again.
  std::size_t resources_of(FlowId f) const { return flows_[f].hop_count; }
  ResourceId resource(FlowId f, std::size_t i) const { return hop_pool_[flows_[f].first_hop + i].resource; }

  // When class k's next member is done at the class's rate, computed from the class's last settling point and
  // never before `now`; none if it has no member.
  std::optional<Time> next_completion(ClassId k, Time now);
  // Removes every member of class k whose amount is done by `now` (to the picosecond), in (target, order) order,
  // appending their ids to `done`; false if none was (a timer a picosecond early). Ids in `done` may be handed out
  // again by add_flow.
  bool complete_due(ClassId k, Time now, std::vector<FlowId>& done);
  // The classes whose next completion the last solve may have moved, in the order it settled them (see above).
  const std::vector<Timer>& timers() const { return timers_; }

  // Diagnostics (tests and benchmarks): flows with a class or waiting for their first solve, rate classes, solves
  // run, classes they gave new rates (summed), solves that fell back to a whole component, resources made tight,
  // classes split and merged.
  std::size_t active_flows() const { return flows_.size() - free_flows_.size(); }
  std::size_t rate_classes() const { return classes_.size() - free_classes_.size(); }
  std::uint64_t solves() const { return solves_; }
  std::uint64_t classes_resolved() const { return classes_resolved_; }
  std::uint64_t component_solves() const { return component_solves_; }
  std::uint64_t tightenings() const { return tightenings_; }
  std::uint64_t class_splits() const { return splits_; }
  std::uint64_t class_merges() const { return merges_; }

 private:
  static constexpr ClassId kNoClass = 0xffffffffu;
  static constexpr std::uint32_t kFreed = 0xffffffffu;  // Class::members of a freed slot

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
    double target = 0;             // its class's `served` at which its amount is done (its amount until it has one)
    double weight = 1;
    std::uint64_t order = 0;       // the caller's rank, for completions at the same picosecond
    // Its hops: hop_pool_[first_hop, first_hop + hop_count), kept with the slot (a range of another length goes
    // back to free_hops_ when the slot is handed out again). One pool rather than a vector per flow: a million
    // flows in flight are a million allocations fewer, and 40 bytes less each.
    std::uint32_t first_hop = 0;
    std::uint32_t hop_count = 0;
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
    std::uint64_t order;
    FlowId flow;
    std::uint32_t generation;
  };

  struct Class {
    double weight = 1;     // every member's
    double rate = 0;       // units/s per member: weight x level
    double level = 0;      // rate per unit weight, what bottlenecks compare
    double served = 0;     // units each member has been given since the class was made, as of `updated`
    Time updated;
    std::uint32_t members = 0;
    ResourceId bottleneck = -1;
    std::uint32_t bottleneck_slot = 0;  // in that resource's `bottlenecked`
    std::vector<Use> uses;              // tight resources its members cross
    std::vector<Member> heap;           // members by (target, order), smallest first; stale entries skipped
    // Solver scratch.
    double new_rate = 0;
    double new_level = 0;
    double ref_rate = 0;       // the rate its members had before this solve (0 for new flows)
    std::uint64_t in_set = 0;  // == solve_id_: in D
    std::uint64_t listed = 0;  // == solve_id_ + 1: in changed_classes_
    std::uint64_t tightened = 0;      // == tighten_id_: has a use of the resource being made tight, at:
    std::uint32_t tightened_use = 0;
    bool fixed = false;
  };

  struct Resource {
    double capacity = 0;             // units/s
    bool tight = false;
    double load = 0;                 // tight: sum over users of rate x count, kept up to date
    std::vector<Entry> flows;        // flows using it
    std::vector<User> users;         // tight: classes with members using it
    std::vector<ClassId> bottlenecked;
    // Not tight: its load is at most bound_load x exp(phi_ - bound_phi).
    double bound_load = 0;
    double bound_phi = 0;
    std::uint32_t bound_version = 0;  // bumped to discard older entries of bounds_
    // Solver scratch.
    double left = 0;
    double delta = 0;
    double dirty_peak = 0;           // highest new level of a class of D on it
    double unfixed_weight = 0;       // of the members of D not yet fixed
    std::uint64_t unfixed = 0;       // how many members of D are not yet fixed
    std::uint32_t dirty_users = 0;
    std::uint32_t version = 0;  // bumped whenever left/unfixed change, to discard stale heap entries
    std::uint64_t in_set = 0;   // == solve_id_: in T
    std::uint64_t round = 0;    // filling step in which `left` last changed
    std::uint64_t checked = 0;  // verification pass that checked the classes it is the bottleneck of
    std::uint64_t merged = 0;   // solve that merged the classes it is the bottleneck of
  };

  struct HeapEntry {
    double share;  // left / unfixed weight when pushed
    ResourceId resource;
    std::uint32_t version;
  };
  struct BoundEntry {
    double key;  // phi_ at which the resource's bound reaches its capacity
    ResourceId resource;
    std::uint32_t version;
  };

  std::span<Hop> hops(FlowId f) { return {hop_pool_.data() + flows_[f].first_hop, flows_[f].hop_count}; }
  std::span<const Hop> hops(FlowId f) const { return {hop_pool_.data() + flows_[f].first_hop, flows_[f].hop_count}; }
  Resource& res(ResourceId r) { return resources_[static_cast<std::size_t>(r)]; }
  const Resource& res(ResourceId r) const { return resources_[static_cast<std::size_t>(r)]; }

  // Flows on resources (maxmin_solver.cpp).
  void add_flow_to(FlowId f, std::size_t hop);
  void remove_flow_from(FlowId f, std::size_t hop);
  void end_flow(FlowId f, Time now);  // off its class and its resources; the slot is free
  void tighten(ResourceId r);
  void untighten(ResourceId r);
  void push_bound(ResourceId r);

  // Classes and their members (maxmin_solver.cpp).
  ClassId new_class(Time now, double weight);
  void free_class(ClassId k);
  void settle(Class& c, Time now);  // brings `served` to now
  void join(FlowId f, ClassId k, double remaining, Time now);
  double leave(FlowId f, Time now);  // returns its units still to move
  static constexpr std::size_t kNotFound = ~std::size_t{0};
  std::size_t find_use(ClassId k, ResourceId r) const;  // index in the class's uses, or kNotFound
  void add_use(ClassId k, ResourceId r);
  void remove_use(ClassId k, ResourceId r);
  const Member* next_member(Class& c);
  void note_timer(ClassId k, Time now);  // appends to timers_
  void set_bottleneck(ClassId k, ResourceId r);  // r = -1: none
  void list_changed(ClassId k);

  // The solve (maxmin_solve.cpp).
  void gather_changes(Time now);   // D and T from what changed since the last solve
  void group_new_flows(Time now);  // new flows into new classes, one per weight and set of tight resources
  void add_resource_to_set(ResourceId r);  // to T
  void add_dirty(ClassId k);       // to D, and its tight resources to T
  void solve_rates(Time now);      // rounds of fill and verify, or the whole component
  void fill(Time now);             // progressive filling of D on what the other classes leave on T
  std::size_t prepare_fill();      // each resource of T: capacity left, unfixed members; returns D's size
  std::size_t fix_users(ResourceId full, double level, Time now);  // returns how many classes it fixed
  ClassId split(ClassId k, ResourceId r, Time now);
  bool tied(const Class& c, double level) const;  // its bottleneck, still filling, is full at `level` too
  bool verify();                   // true if every class has a bottleneck; otherwise D grew
  void commit(Time now);           // D's new rates; phi_ grows by their largest increase
  bool check_bounds();             // false if a resource was made tight (then solve again)
  void merge_classes(Time now);
  static bool same_kind(const Class& a, const Class& b);
  static bool uniform(const Class& c);         // every member uses every tight resource of the class
  static std::size_t kind_hash(const Class& c);  // equal for classes of one kind (same_kind)

  std::vector<Flow> flows_;          // slots, reused through free_flows_
  std::vector<FlowId> free_flows_;
  std::vector<Hop> hop_pool_;                        // every flow's hops (Flow::first_hop)
  std::vector<std::vector<std::uint32_t>> free_hops_;  // by length: ranges of hop_pool_ no flow slot holds
  std::vector<Class> classes_;       // slots, reused through free_classes_
  std::vector<ClassId> free_classes_;
  std::vector<Resource> resources_;

  // Changes since the last solve.
  std::vector<FlowId> started_;            // flows added, not yet in a class
  std::vector<ClassId> changed_classes_;   // classes that lost members
  std::vector<ResourceId> touched_;        // tight resources of flows that left

  // Scratch reused by every solve.
  std::uint64_t solve_id_ = 0;
  std::uint64_t stamp_ = 0;  // filling steps and verification passes
  std::uint64_t tighten_id_ = 0;
  bool force_component_ = false;
  double phi_ = 0;           // log of the product of the largest rate growth at every solve
  std::vector<ClassId> dirty_;             // D
  std::vector<ResourceId> set_resources_;  // T
  std::vector<ResourceId> changed_;
  std::vector<HeapEntry> heap_;
  std::vector<BoundEntry> bounds_;         // min-heap of non-tight resources by key
  std::vector<FlowId> new_flows_;
  std::vector<ResourceId> key_;              // a new flow's tight resources, sorted
  std::vector<std::uint32_t> group_slots_;   // hash table of the groups of new flows (kNoClass: empty)
  std::vector<ResourceId> group_keys_;       // each group's key, one after another
  std::vector<std::size_t> group_start_;     // where each group's key begins in group_keys_
  std::vector<ClassId> group_class_;         // each group's class
  std::vector<ClassId> kinds_;
  std::vector<ClassId> merging_;
  std::vector<std::uint32_t> kind_of_;     // merging_[i]'s index in kinds_
  std::vector<std::uint32_t> kind_slots_;  // hash table of kinds_ indices (kNoClass: empty)
  std::vector<Timer> timers_;

  std::uint64_t solves_ = 0;
  std::uint64_t classes_resolved_ = 0;
  std::uint64_t component_solves_ = 0;
  std::uint64_t tightenings_ = 0;
  std::uint64_t splits_ = 0;
  std::uint64_t merges_ = 0;
};

}  // namespace shardsim::net
