#include <catch2/catch.hpp>

#include "printing.hpp"
#include "round_star.hpp"
#include "shardsim/exec/executor.hpp"
#include "shardsim/topo/star.hpp"

using namespace shardsim;

// Collectives on an uncongested star (tests/support/round_star.hpp) against their alpha-beta closed forms. Every node pays s = 10 us to send and
// r = 10 us to receive a message; links carry 1 byte per 8 ns (1 Gbit/s) with L = 1 us latency; the switch forwards
// in F = 2 us; no framing. One message of m bytes between two nodes (two links):
//   FIFO (store-and-forward): T(m) = s + 2 * 8m ns + 2L + F + r = 24 us + 16 ns * m
//   fair (pipelined flow):    T(m) = s + 8m ns + 2L + F + r     = 24 us +  8 ns * m
namespace {

constexpr std::int64_t kM = 1000;  // bytes per piece: T = 40 us (FIFO), 32 us (fair)

Time run(int p, collective::CollectiveKind kind, collective::Algorithm algorithm, net::NetworkModelKind model) {
  plan::CollectiveOp op;
  op.spec.kind = kind;
  op.spec.algorithm = algorithm;
  op.spec.pieces.assign(static_cast<std::size_t>(p), Bytes{kM});
  for (int i = 0; i < p; ++i) op.members.push_back(i);
  plan::OpGraph graph;
  graph.blocks.push_back(plan::Block{"collective", 1, {plan::Op{"c", op, {}}}});
  const topo::Topology t = testing::round_star(p);
  const exec::RunStats stats =
      exec::execute(t, graph, net::NetworkOptions{model, Bytes{1 << 30}, Bytes{0}});
  REQUIRE(stats.critical_path.total() == stats.token_latency);
  return stats.token_latency;
}

const Time kFifo = Time::from_us(40);
const Time kFair = Time::from_us(32);
const Time kSend = Time::from_us(10);

}  // namespace

TEST_CASE("ring all-gather: p - 1 chained messages") {
  // Step k of rank r forwards what arrived from r - 1 in step k - 1: a chain of p - 1 messages; each node's
  // uplink, downlink and CPUs carry one message at a time, so nothing waits.
  for (int p : {2, 4, 8}) {
    CHECK(run(p, collective::CollectiveKind::all_gather, collective::Algorithm::ring, net::NetworkModelKind::fifo) ==
          kFifo * (p - 1));
  }
}

TEST_CASE("binomial broadcast: log2 p rounds when p is a power of two") {
  // p = 4: root -> 2 delivered at T, root -> 1 after the root's CPU is free: s + T; 2 -> 3 at 2T. Since T > s the
  // last is 2T. p = 8: root -> 4, 2, 1 at T, T + s, T + 2s; 4 -> 6 at 2T, 6 -> 7 at 3T (the deepest chain).
  CHECK(run(2, collective::CollectiveKind::broadcast, collective::Algorithm::tree, net::NetworkModelKind::fifo) == kFifo);
  CHECK(run(4, collective::CollectiveKind::broadcast, collective::Algorithm::tree, net::NetworkModelKind::fifo) ==
        kFifo * 2);
  CHECK(run(8, collective::CollectiveKind::broadcast, collective::Algorithm::tree, net::NetworkModelKind::fifo) ==
        kFifo * 3);
}

TEST_CASE("direct all-gather: bound by each sender's CPU") {
  // Sender i's k-th message (to i + k) leaves its CPU at k s; receiver j gets one message per slot k (from j - k),
  // so receive CPUs never queue. The last (k = p - 1) is delivered at (p - 1) s + T - s = T + (p - 2) s.
  for (int p : {2, 4, 8}) {
    CHECK(run(p, collective::CollectiveKind::all_gather, collective::Algorithm::direct, net::NetworkModelKind::fifo) ==
          kFifo + kSend * (p - 2));
  }
}

TEST_CASE("the fair model pipelines a message over its hops: one serialization instead of two") {
  for (int p : {2, 4, 8}) {
    CHECK(run(p, collective::CollectiveKind::all_gather, collective::Algorithm::ring, net::NetworkModelKind::fair) ==
          kFair * (p - 1));
  }
  CHECK(run(8, collective::CollectiveKind::broadcast, collective::Algorithm::tree, net::NetworkModelKind::fair) ==
        kFair * 3);
}
