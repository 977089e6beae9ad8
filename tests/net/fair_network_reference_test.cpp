// The fair model against a brute-force fluid simulation, on random traffic: the hand-derived cases are in
// fair_network_test.cpp, the solver's own in maxmin_solver_test.cpp.
#include <catch2/catch.hpp>

#include "fair_fixtures.hpp"
#include "net_harness.hpp"
#include "printing.hpp"
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "shardsim/net/fair_network.hpp"

using namespace shardsim;
using namespace shardsim::testing::fair;

namespace {

// A brute-force fluid simulation to check the model's rates against: no CPUs, no latency; at every start or end
// it solves max-min over all active flows from scratch (progressive filling, O(flows x resources) per step) and
// advances to the next start or end. Independent of MaxMinSolver's incremental solve; times in seconds.
struct RefFlow {
  double start = 0;
  double bytes = 0;
  std::vector<int> resources;
  double end = -1;
};

void reference_max_min(std::vector<RefFlow>& flows, const std::vector<double>& capacity) {
  std::vector<double> left(flows.size());
  for (std::size_t i = 0; i < flows.size(); ++i) left[i] = flows[i].bytes;
  double now = 0;
  for (;;) {
    std::vector<std::size_t> active;
    double next_start = 1e300;
    for (std::size_t i = 0; i < flows.size(); ++i) {
      if (flows[i].end >= 0) continue;
      if (flows[i].start <= now) {
        active.push_back(i);
      } else {
        next_start = std::min(next_start, flows[i].start);
      }
    }
    if (active.empty() && next_start == 1e300) return;
    // Progressive filling.
    std::vector<double> rate(flows.size(), 0), cap = capacity;
    std::vector<bool> fixed(flows.size(), false);
    for (std::size_t n = 0; n < active.size();) {
      double best = 1e300;
      int full = -1;
      for (std::size_t r = 0; r < cap.size(); ++r) {
        int users = 0;
        for (std::size_t i : active) {
          if (!fixed[i] && std::count(flows[i].resources.begin(), flows[i].resources.end(), static_cast<int>(r))) {
            ++users;
          }
        }
        if (users > 0 && cap[r] / users < best) {
          best = cap[r] / users;
          full = static_cast<int>(r);
        }
      }
      for (std::size_t i : active) {
        if (fixed[i] || !std::count(flows[i].resources.begin(), flows[i].resources.end(), full)) continue;
        fixed[i] = true;
        rate[i] = best;
        ++n;
        for (int r : flows[i].resources) cap[static_cast<std::size_t>(r)] -= best;
      }
    }
    double step = next_start - now;
    for (std::size_t i : active) step = std::min(step, left[i] / rate[i]);
    now += step;
    for (std::size_t i : active) {
      left[i] -= rate[i] * step;
      if (left[i] <= 1e-6) flows[i].end = now;
    }
  }
}

// Random traffic on a two-level tree, checked against reference_max_min: no overheads, no latency, no framing, so
// each message is delivered exactly when its bytes are sent. Leaf l has `per_leaf` nodes on access links of
// (0.5 + 0.1 x node) GB/s and an uplink of uplink[l] GB/s; leaf 0's switch moves at most 1.7 GB/s. Messages go
// between random pairs (a fixed linear congruential generator) at random times in [0, window).
struct RandomTraffic {
  std::uint64_t seed = 1;
  int per_leaf = 5;
  std::vector<double> uplink;  // GB/s, one per leaf
  int messages = 120;
  std::int64_t window_ns = 40000;
  std::int64_t max_bytes = 20000;
};

struct RandomResult {
  double max_error_s = 0;      // largest |delivered - reference| over the messages
  int contended = 0;           // messages that lost time to sharing
  std::uint64_t splits = 0, merges = 0;
  std::vector<Time> delivered;  // per message
};

RandomResult run_random(const RandomTraffic& r) {
  topo::Topology t;
  t.add_switch("core", sw(0), here);
  const int leaves = static_cast<int>(r.uplink.size());
  for (int l = 0; l < leaves; ++l) {
    t.add_switch(name("leaf", l), l == 0 ? sw(0, ByteRate{1.7e9}) : sw(0), here);
    t.add_link(name("leaf", l), "core", hw::LinkSpec{ByteRate{r.uplink[static_cast<std::size_t>(l)] * 1e9}, Time{}},
               here);
  }
  const int nodes = leaves * r.per_leaf;
  for (int n = 0; n < nodes; ++n) {
    t.add_node(name("n", n), instant(), here);
    t.add_link(name("n", n), name("leaf", n / r.per_leaf), hw::LinkSpec{ByteRate{(0.5 + 0.1 * n) * 1e9}, Time{}},
               here);
  }
  t.seal();
  std::uint64_t seed = r.seed;
  auto next = [&seed](std::uint64_t bound) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % bound;
  };
  FairHarness h(t, no_framing());
  std::vector<RefFlow> ref;
  std::vector<double> capacity;
  for (int d = 0; d < 2 * t.link_count(); ++d) capacity.push_back(t.dir_link_spec(d).bandwidth.per_second);
  const int leaf0_resource = 2 * t.link_count();  // the one switch with a capacity, after the link directions
  capacity.push_back(1.7e9);
  std::vector<topo::DirLinkId> route;
  for (int m = 0; m < r.messages; ++m) {
    const auto tag = static_cast<std::uint64_t>(m);
    const int src = static_cast<int>(next(static_cast<std::uint64_t>(nodes)));
    int dst = static_cast<int>(next(static_cast<std::uint64_t>(nodes - 1)));
    if (dst >= src) ++dst;
    const Time start = Time::from_ns(static_cast<std::int64_t>(next(static_cast<std::uint64_t>(r.window_ns))));
    const Bytes bytes{static_cast<std::int64_t>(200 + next(static_cast<std::uint64_t>(r.max_bytes)))};
    h.start_at(start, {src, dst, bytes, tag});
    RefFlow f;
    f.start = start.seconds();
    f.bytes = static_cast<double>(bytes.count);
    t.route(src, dst, route, tag);
    for (std::size_t i = 0; i < route.size(); ++i) {
      f.resources.push_back(route[i]);
      if (i + 1 < route.size() && t.vertex(t.dir_link_head(route[i])).name == "leaf0") {
        f.resources.push_back(leaf0_resource);
      }
    }
    ref.push_back(f);
  }
  h.run();
  reference_max_min(ref, capacity);
  REQUIRE(h.done.size() == static_cast<std::size_t>(r.messages));
  check_parts(h);
  RandomResult out;
  for (int m = 0; m < r.messages; ++m) {
    const net::TransferTiming& d = h.done.at(static_cast<std::uint64_t>(m));
    out.max_error_s = std::max(out.max_error_s, std::abs(d.delivered.seconds() - ref[static_cast<std::size_t>(m)].end));
    if (d.waiting > Time{}) ++out.contended;
    out.delivered.push_back(d.delivered);
  }
  out.splits = h.model().solver().class_splits();
  out.merges = h.model().solver().class_merges();
  CHECK(h.model().solver().active_flows() == 0);
  CHECK(h.model().solver().rate_classes() == 0);
  return out;
}

}  // namespace

TEST_CASE("fair: random traffic ends when a from-scratch max-min solver says") {
  // The model keeps flows in rate classes, solves only what a change can reach and only on tight resources; the
  // reference puts every flow on every resource and solves everything at every event. They must agree to within
  // rounding: a few picoseconds per rate change (a wrong rate would be off by nanoseconds to microseconds).
  SECTION("light: two leaves, 120 messages over 40 us") {
    const RandomResult r = run_random(RandomTraffic{12345, 5, {1.3, 0.9}, 120, 40000, 20000});
    CHECK(r.max_error_s < 10e-12);
    CHECK(r.contended > 60);  // the traffic really does contend
  }
  SECTION("heavy: three leaves behind thin uplinks, 400 messages over 20 us") {
    // Uplinks of 0.4 to 0.8 GB/s behind six nodes of 0.5 to 2.2 GB/s each: hundreds of flows at once, most held
    // back by an uplink or a downlink, whose order changes as flows come and go.
    std::uint64_t splits = 0, merges = 0;
    for (std::uint64_t seed : {1, 2, 3, 4}) {
      INFO("seed " << seed);
      const RandomResult r = run_random(RandomTraffic{seed, 6, {0.4, 0.6, 0.8}, 400, 20000, 20000});
      CHECK(r.max_error_s < 10e-12);
      CHECK(r.contended > 350);
      splits += r.splits;
      merges += r.merges;
    }
    // The classes really were split and merged along the way (so those paths are checked too).
    CHECK(splits > 0);
    CHECK(merges > 0);
  }
  SECTION("the same traffic gives the same times, to the picosecond") {
    const RandomTraffic traffic{7, 6, {0.4, 0.6, 0.8}, 400, 20000, 20000};
    CHECK(run_random(traffic).delivered == run_random(traffic).delivered);
  }
}
