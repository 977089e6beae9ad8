#include <catch2/catch.hpp>

#include "printing.hpp"
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "shardsim/net/maxmin_solver.hpp"

using namespace shardsim;

namespace {

using Solver = net::MaxMinSolver;
using ResourceId = Solver::ResourceId;
using FlowId = Solver::FlowId;

// Capacities in GB/s: 1 GB/s = 1e9 units per second, so a rate of 0.5 GB/s is 5e8 exactly.
constexpr double GB = 1e9;
// Enough units that no flow is done during a test that only looks at rates.
constexpr double kForever = 1e18;

// |a - b| <= 1e-12 x |b|: for rates whose derivation divides by something other than a power of two.
bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * std::abs(b); }

// A flow for a test that only looks at rates: it is never done, so its completion order does not matter.
FlowId add(Solver& s, std::vector<ResourceId> resources, double weight = 1) {
  return s.add_flow(resources, kForever, 0, weight);
}

}  // namespace

TEST_CASE("max-min: the classic two-bottleneck example gets rates 1/2, 1/2, 3/2") {
  // L1 = 1 GB/s, L2 = 2 GB/s; A uses L1, B uses L1 and L2, C uses L2.
  // Progressive filling: L1's share is 1/2 (two flows), L2's 2/2 = 1: L1 fills first, fixing A and B at 1/2 GB/s;
  // L2 has 2 - 1/2 = 3/2 left for C alone. Every figure is a multiple of 2^-1 GB/s, so exact.
  Solver s;
  const ResourceId l1 = s.add_resource(1 * GB);
  const ResourceId l2 = s.add_resource(2 * GB);
  const FlowId a = add(s, {l1});
  const FlowId b = add(s, {l1, l2});
  const FlowId c = add(s, {l2});
  CHECK(s.rate(a) == 0);  // no rate before the first solve
  REQUIRE(s.resources_of(b) == 2);
  CHECK(s.resource(b, 0) == l1);
  CHECK(s.resource(b, 1) == l2);
  s.solve(Time{});
  CHECK(s.rate(a) == 0.5 * GB);
  CHECK(s.rate(b) == 0.5 * GB);
  CHECK(s.rate(c) == 1.5 * GB);
  // A and B share a bottleneck and a rate but not their tight resources (B also uses L2): separate classes.
  CHECK(s.class_of(a) != s.class_of(b));
  CHECK(s.rate_classes() == 3);
}

TEST_CASE("max-min: parking lot, a long flow across k links each shared with one short flow") {
  constexpr int k = 4;
  SECTION("equal links: every flow gets half a link") {
    // Links 1 GB/s each; the long flow uses all four, short flow i link i alone. Each link carries two flows, so
    // every link's share is 1/2; the first (smallest id) fills, fixing the long flow and short 0 at 1/2, and each
    // other link then has 1 - 1/2 = 1/2 for its short flow.
    Solver s;
    std::vector<ResourceId> links;
    for (int i = 0; i < k; ++i) links.push_back(s.add_resource(1 * GB));
    const FlowId long_flow = add(s, links);
    std::vector<FlowId> shorts;
    for (int i = 0; i < k; ++i) shorts.push_back(add(s, {links[static_cast<std::size_t>(i)]}));
    s.solve(Time{});
    CHECK(s.rate(long_flow) == 0.5 * GB);
    for (const FlowId f : shorts) CHECK(s.rate(f) == 0.5 * GB);
  }
  SECTION("links of 1, 2, 3, 4 GB/s: the thinnest holds the long flow, the short flows take the rest") {
    // Shares: link i (i = 1..4) has i GB/s for two flows, i/2. Link 1 fills first at 1/2, fixing the long flow
    // and short 1 there; link i > 1 then has i - 1/2 left for short i alone: 3/2, 5/2, 7/2 GB/s.
    Solver s;
    std::vector<ResourceId> links;
    for (int i = 1; i <= k; ++i) links.push_back(s.add_resource(i * GB));
    const FlowId long_flow = add(s, links);
    std::vector<FlowId> shorts;
    for (int i = 0; i < k; ++i) shorts.push_back(add(s, {links[static_cast<std::size_t>(i)]}));
    s.solve(Time{});
    CHECK(s.rate(long_flow) == 0.5 * GB);
    CHECK(s.rate(shorts[0]) == 0.5 * GB);
    CHECK(s.rate(shorts[1]) == 1.5 * GB);
    CHECK(s.rate(shorts[2]) == 2.5 * GB);
    CHECK(s.rate(shorts[3]) == 3.5 * GB);
    // Short 1 leaves: the shares are now 1/1 on link 1 (the long flow alone), 2/2, 3/2 and 4/2 on links 2 to 4.
    // Links 1 and 2 fill together at 1 GB/s (link 1 first, the smaller id), fixing the long flow and short 2 at 1;
    // links 3 and 4 leave 3 - 1 = 2 and 4 - 1 = 3 GB/s to their short flows.
    s.remove_flow(shorts[0], Time{});
    s.solve(Time{});
    CHECK(s.rate(long_flow) == 1 * GB);
    CHECK(s.rate(shorts[1]) == 1 * GB);
    CHECK(s.rate(shorts[2]) == 2 * GB);
    CHECK(s.rate(shorts[3]) == 3 * GB);
  }
}

TEST_CASE("max-min: weights 1 and 3 on one link split it 1:3") {
  SECTION("alone on a 4 GB/s link") {
    // The link's share per unit weight is 4 / (1 + 3) = 1: the weight-1 flow gets 1 GB/s, the weight-3 flow 3.
    Solver s;
    const ResourceId link = s.add_resource(4 * GB);
    const FlowId light = add(s, {link}, 1);
    const FlowId heavy = add(s, {link}, 3);
    s.solve(Time{});
    CHECK(s.rate(light) == 1 * GB);
    CHECK(s.rate(heavy) == 3 * GB);
  }
  SECTION("the weight-3 flow also crosses a 2 GB/s link") {
    // Shares per unit weight: the 4 GB/s link 4 / 4 = 1, the 2 GB/s link 2 / 3 (the heavy flow alone). The second
    // fills first at level 2/3: the heavy flow gets 3 x 2/3 = 2 GB/s; the first link has 4 - 2 = 2 GB/s left for
    // the light flow. (2/3 is not a binary fraction: to 1e-12.)
    Solver s;
    const ResourceId shared = s.add_resource(4 * GB);
    const ResourceId narrow = s.add_resource(2 * GB);
    const FlowId light = add(s, {shared}, 1);
    const FlowId heavy = add(s, {shared, narrow}, 3);
    s.solve(Time{});
    CHECK(close(s.rate(heavy), 2 * GB));
    CHECK(close(s.rate(light), 2 * GB));
  }
}

TEST_CASE("max-min: a switch capacity shared by flows that also cross links of their own") {
  SECTION("the switch binds two of three flows; the thinnest link binds the third") {
    // Switch S moves 1.5 GB/s; flow i crosses its own link (a: 0.4, b: 1, c: 3 GB/s) and S. Shares: a 0.4,
    // b 1, c 3, S 1.5 / 3 = 0.5. Link a fills first at 0.4, fixing flow a; S has 1.5 - 0.4 = 1.1 left for two
    // flows, 0.55 each, below b's 1 and c's 3: S fills next, fixing b and c at 0.55 GB/s.
    Solver s;
    const ResourceId a = s.add_resource(0.4 * GB);
    const ResourceId b = s.add_resource(1 * GB);
    const ResourceId c = s.add_resource(3 * GB);
    const ResourceId sw = s.add_resource(1.5 * GB);
    const FlowId fa = add(s, {a, sw});
    const FlowId fb = add(s, {b, sw});
    const FlowId fc = add(s, {c, sw});
    s.solve(Time{});
    CHECK(s.rate(fa) == 0.4 * GB);
    CHECK(s.rate(fb) == 0.55 * GB);
    CHECK(s.rate(fc) == 0.55 * GB);
  }
  SECTION("the switch is found when the flows through it overload it") {
    // Two flows over their own 1 GB/s links and a 1.5 GB/s switch. Each flow makes its narrowest resource tight
    // (its link), so the first solve gives each 1 GB/s; that puts 2 GB/s through the switch, over its capacity:
    // the bound check makes it tight (a third tightening) and solves again, 1.5 / 2 = 0.75 GB/s each.
    Solver s;
    const ResourceId a = s.add_resource(1 * GB);
    const ResourceId b = s.add_resource(1 * GB);
    const ResourceId sw = s.add_resource(1.5 * GB);
    const FlowId fa = add(s, {a, sw});
    const FlowId fb = add(s, {b, sw});
    s.solve(Time{});
    CHECK(s.rate(fa) == 0.75 * GB);
    CHECK(s.rate(fb) == 0.75 * GB);
    CHECK(s.tightenings() == 3);
  }
}

TEST_CASE("max-min: a flow that ends is re-solved incrementally to what a fresh solve gives") {
  // The two-bottleneck example with amounts: A and B move 1000 units, C 6000. At rates 1/2, 1/2, 3/2 units/ns
  // (GB/s), A and B are done at 1000 / 0.5 = 2000 ns; C has moved 3000 by then. Left alone on L2, C gets 2 GB/s:
  // its other 3000 units take 1500 ns, so it is done at 3500 ns.
  Solver s;
  const ResourceId l1 = s.add_resource(1 * GB);
  const ResourceId l2 = s.add_resource(2 * GB);
  const FlowId a = s.add_flow(std::vector<ResourceId>{l1}, 1000, 0);
  const FlowId b = s.add_flow(std::vector<ResourceId>{l1, l2}, 1000, 1);
  const FlowId c = s.add_flow(std::vector<ResourceId>{l2}, 6000, 2);
  s.solve(Time{});
  // The solve lists a timer for each class it rated: A's and B's at 2 us, C's at 4 us (6000 / 1.5).
  REQUIRE(s.timers().size() == 3);
  CHECK(s.next_completion(s.class_of(a), Time{}) == Time::from_ns(2000));
  CHECK(s.next_completion(s.class_of(b), Time{}) == Time::from_ns(2000));
  CHECK(s.next_completion(s.class_of(c), Time{}) == Time::from_ns(4000));

  const Time t = Time::from_ns(2000);
  std::vector<FlowId> done;
  CHECK(s.complete_due(s.class_of(a), t, done));
  CHECK(s.complete_due(s.class_of(b), t, done));
  CHECK(done == std::vector<FlowId>{a, b});
  CHECK_FALSE(s.complete_due(s.class_of(c), t, done));  // C is not done
  // 2e-6 s is not a binary fraction, so C's progress is 3000 to rounding.
  CHECK(std::abs(s.remaining(c, t) - 3000) < 1e-9);
  s.solve(t);
  CHECK(s.rate(c) == 2 * GB);
  CHECK(s.next_completion(s.class_of(c), t) == Time::from_ns(3500));
  CHECK(s.active_flows() == 1);
  CHECK(s.rate_classes() == 1);  // A's and B's classes, empty, are gone

  // A fresh solver given only what is left: C's remaining units on the same resources.
  Solver fresh;
  fresh.add_resource(1 * GB);
  fresh.add_resource(2 * GB);
  const FlowId c2 = fresh.add_flow(std::vector<ResourceId>{l2}, s.remaining(c, t), 2);
  fresh.solve(t);
  CHECK(fresh.rate(c2) == s.rate(c));
  CHECK(fresh.next_completion(fresh.class_of(c2), t) == s.next_completion(s.class_of(c), t));
}

namespace {

// A from-scratch weighted progressive filling, the textbook way: O(resources x flows) per fixing step, nothing
// kept between solves. Independent of MaxMinSolver's classes, tight resources and incremental rounds.
struct RefFlow {
  std::vector<ResourceId> resources;
  double weight = 1;
  bool active = true;
};

std::vector<double> reference_rates(const std::vector<RefFlow>& flows, const std::vector<double>& capacity) {
  std::vector<double> rate(flows.size(), 0), left = capacity;
  std::vector<bool> fixed(flows.size(), false);
  auto uses = [](const RefFlow& f, std::size_t r) {
    return std::find(f.resources.begin(), f.resources.end(), static_cast<ResourceId>(r)) != f.resources.end();
  };
  for (;;) {
    double best = 0;
    int full = -1;
    for (std::size_t r = 0; r < capacity.size(); ++r) {
      double weight = 0;
      for (std::size_t i = 0; i < flows.size(); ++i) {
        if (flows[i].active && !fixed[i] && uses(flows[i], r)) weight += flows[i].weight;
      }
      if (weight > 0 && (full < 0 || left[r] / weight < best)) {
        best = left[r] / weight;
        full = static_cast<int>(r);
      }
    }
    if (full < 0) return rate;
    for (std::size_t i = 0; i < flows.size(); ++i) {
      if (!flows[i].active || fixed[i] || !uses(flows[i], static_cast<std::size_t>(full))) continue;
      fixed[i] = true;
      rate[i] = best * flows[i].weight;
      for (const ResourceId r : flows[i].resources) left[static_cast<std::size_t>(r)] -= rate[i];
    }
  }
}

// A fixed linear congruential generator, so that the cases are the same on every machine.
struct Lcg {
  std::uint64_t state;
  std::uint64_t below(std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  }
};

// One random system and what has been done to it, kept in step with its reference (flows by the order they were
// added; an inactive one has been removed or is done).
struct RandomCase {
  Lcg& rng;
  Solver s;
  std::vector<double> capacity;
  std::vector<RefFlow> ref;
  std::vector<FlowId> id;  // the solver's id of each
  Time now{};
  std::uint64_t completions = 0;

  explicit RandomCase(Lcg& g) : rng(g) {
    // 2 to 6 resources of 0.5 to 4 GB/s; one in four 1000 GB/s, so that it is rarely tight and the bound checks
    // must find it when it is.
    for (auto n = 2 + rng.below(5); n > 0; --n) {
      capacity.push_back(rng.below(4) == 0 ? 1000 * GB : (0.5 + 0.25 * static_cast<double>(rng.below(15))) * GB);
      s.add_resource(capacity.back());
    }
  }
  bool active(std::size_t i) const { return ref[i].active; }

  // 1 to 3 flows, each over 1 to 3 distinct resources, of weight 1, 2, 3 or 0.5 and 1000 to 101 000 units.
  void add_flows() {
    for (auto n = 1 + rng.below(3); n > 0; --n) {
      RefFlow f;
      const auto uses = 1 + rng.below(std::min<std::uint64_t>(3, capacity.size()));
      while (f.resources.size() < uses) {
        const auto r = static_cast<ResourceId>(rng.below(capacity.size()));
        if (std::find(f.resources.begin(), f.resources.end(), r) == f.resources.end()) f.resources.push_back(r);
      }
      const double weights[] = {1, 2, 3, 0.5};
      f.weight = weights[rng.below(4)];
      const double amount = 1000 + static_cast<double>(rng.below(100000));
      id.push_back(s.add_flow(f.resources, amount, ref.size(), f.weight));
      ref.push_back(f);
    }
  }
  // 5 to 40 flows started at one instant over 1 to 4 routes drawn at the start of the batch (each over 1 to 3
  // distinct resources), weight 1 or 2, 1000 to 4000 units: many new flows share a route, or only their tight
  // resources, which is what the solver groups into one class per solve.
  void add_batch() {
    std::vector<std::vector<ResourceId>> routes(1 + rng.below(4));
    for (std::vector<ResourceId>& route : routes) {
      const auto uses = 1 + rng.below(std::min<std::uint64_t>(3, capacity.size()));
      while (route.size() < uses) {
        const auto r = static_cast<ResourceId>(rng.below(capacity.size()));
        if (std::find(route.begin(), route.end(), r) == route.end()) route.push_back(r);
      }
    }
    for (auto n = 5 + rng.below(36); n > 0; --n) {
      RefFlow f;
      f.resources = routes[rng.below(routes.size())];
      f.weight = rng.below(4) == 0 ? 2 : 1;
      const double amount = 1000 * static_cast<double>(1 + rng.below(4));
      id.push_back(s.add_flow(f.resources, amount, ref.size(), f.weight));
      ref.push_back(f);
    }
  }
  // One active flow, at random, taken out before it is done.
  void remove_one() {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (active(i)) candidates.push_back(i);
    }
    if (candidates.empty()) return;
    const std::size_t i = candidates[rng.below(candidates.size())];
    s.remove_flow(id[i], now);
    ref[i].active = false;
  }
  // Time moves to the earliest completion of any class; every flow done then ends, in every class.
  void complete_next() {
    std::optional<Time> next;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (!active(i)) continue;
      const auto at = s.next_completion(s.class_of(id[i]), now);
      if (at && (!next || *at < *next)) next = at;
    }
    if (!next) return;
    now = *next;
    std::vector<FlowId> done;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (active(i) && std::find(done.begin(), done.end(), id[i]) == done.end()) {
        s.complete_due(s.class_of(id[i]), now, done);
      }
    }
    // An id is unique among the active flows (ids are handed out again only by add_flow).
    for (const FlowId f : done) {
      for (std::size_t i = 0; i < ref.size(); ++i) {
        if (active(i) && id[i] == f) ref[i].active = false;
      }
    }
    completions += done.size();
  }
  // Solves, and returns the largest relative difference from the reference over the active flows.
  double solve_and_compare() {
    s.solve(now);
    const std::vector<double> expected = reference_rates(ref, capacity);
    double worst = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (active(i)) worst = std::max(worst, std::abs(s.rate(id[i]) - expected[i]) / expected[i]);
    }
    return worst;
  }
};

// Runs `cases` random cases of `steps` steps each: a step adds flows (`batches`: RandomCase::add_batch, else
// add_flows), removes one, or moves time to the next completion (one chance in three each; it adds when nothing
// is active), then solves and compares every active flow's rate with the reference's.
struct RandomRun {
  double worst = 0;  // the largest relative difference seen
  std::uint64_t solves = 0, completions = 0, splits = 0, merges = 0, tightenings = 0, flows = 0, most_classes = 0;
};

RandomRun run_random_cases(std::uint64_t seed, int cases, int steps, bool batches) {
  Lcg rng{seed};
  RandomRun run;
  for (int n = 0; n < cases; ++n) {
    INFO("case " << n);
    RandomCase c(rng);
    for (int step = 0; step < steps; ++step) {
      INFO("step " << step);
      const auto kind = rng.below(3);
      const bool any = std::any_of(c.ref.begin(), c.ref.end(), [](const RefFlow& f) { return f.active; });
      if (kind == 0 || !any) {
        if (batches) {
          c.add_batch();
        } else {
          c.add_flows();
        }
      } else if (kind == 1) {
        c.remove_one();
      } else {
        c.complete_next();
      }
      const double error = c.solve_and_compare();
      CHECK(error <= 1e-9);
      run.worst = std::max(run.worst, error);
      ++run.solves;
      run.most_classes = std::max<std::uint64_t>(run.most_classes, c.s.rate_classes());
    }
    run.completions += c.completions;
    run.splits += c.s.class_splits();
    run.merges += c.s.class_merges();
    run.tightenings += c.s.tightenings();
    run.flows += c.ref.size();
  }
  return run;
}

}  // namespace

TEST_CASE("max-min: random small systems, solved incrementally, match a from-scratch progressive filling") {
  // 300 random cases (RandomCase above), 12 steps each, adding 1 to 3 flows at a time (run_random_cases). After
  // every solve, each active flow's rate must be the reference's. The solver decides "full" and "no higher" with a
  // relative slack of 1e-9 (its rates are doubles), so a rate may differ by that much; in practice they agree to
  // rounding, 1e-12.
  const RandomRun run = run_random_cases(2024, 300, 12, false);
  CHECK(run.worst <= 1e-12);
  // The cases really did exercise the incremental machinery: flows ended by completion, classes split and merged,
  // resources made tight.
  CHECK(run.solves == 3600);
  CHECK(run.completions > 100);
  CHECK(run.splits > 0);
  CHECK(run.merges > 0);
  CHECK(run.tightenings > 300);
}

TEST_CASE("max-min: batches of flows on shared routes, solved incrementally, match a from-scratch progressive filling") {
  // As above, but a step that adds starts a batch (RandomCase::add_batch): 5 to 40 flows at one instant over a few
  // routes, equal amounts common, so that the solver puts new flows of one weight and one set of tight resources in
  // one class, completes many members of a class at the same picosecond, and splits the grouped classes when a
  // resource only some of their members use becomes tight. 200 cases of 10 steps on 2 to 6 resources.
  const RandomRun run = run_random_cases(17, 200, 10, true);
  CHECK(run.worst <= 1e-12);
  CHECK(run.solves == 2000);
  CHECK(run.completions > 1000);
  CHECK(run.splits > 0);
  // Grouped: a batch of up to 40 flows over at most 4 routes is at most 4 classes per weight before any split.
  CHECK(run.most_classes < 40);
  CHECK(run.flows > 2000);
}
