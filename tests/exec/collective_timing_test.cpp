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

namespace {

// A direct broadcast of kM bytes from node 0 to nodes 1..3 of a round star (FIFO), sent from `threads` threads of
// the root in send() calls of at most `chunk` bytes.
Time broadcast(int threads, Bytes chunk, int p = 4) {
  plan::CollectiveOp op;
  op.spec.kind = collective::CollectiveKind::broadcast;
  op.spec.algorithm = collective::Algorithm::direct;
  op.spec.pieces.assign(static_cast<std::size_t>(p), Bytes{});
  op.spec.pieces[0] = Bytes{kM};
  for (int i = 0; i < p; ++i) op.members.push_back(i);
  op.io_threads = threads;
  op.send_chunk = chunk;
  plan::OpGraph graph;
  graph.blocks.push_back(plan::Block{"collective", 1, {plan::Op{"c", op, {}}}});
  const topo::Topology t = testing::round_star(p);
  return exec::execute(t, graph, net::NetworkOptions{net::NetworkModelKind::fifo, Bytes{1 << 30}, Bytes{0}})
      .token_latency;
}

}  // namespace

TEST_CASE("a runtime's sending threads: the root's messages leave its CPU together, then queue on its uplink") {
  // One thread: the k-th message (k = 0, 1, 2) leaves the root's CPU at (k + 1) s and is delivered T later if
  // nothing else queues: its uplink time (8 us) is shorter than s, so the last arrives at 2 s + T = 60 us.
  CHECK(broadcast(1, Bytes{0}) == kSend * 2 + kFifo);
  // Three threads (peer i on thread i): all three leave the CPU at s = 10 us and queue on the root's uplink, 8 us
  // each: the third holds it from 26 to 34 us, then L (1) + F (2) + the second link (8) + L (1) + r (10) = 56 us.
  CHECK(broadcast(3, Bytes{0}) == Time::from_us(56));
  // Two threads: peers 1 and 3 on thread 0, peer 2 on thread 1. Thread 0 sends to 1 (CPU done at 10 us) and to 3
  // (done at 20 us); thread 1 to 2 (done at 10). Uplink: 10-18 (to 1), 18-26 (to 2), 26-34 (to 3): 56 us again,
  // the uplink being the bottleneck once two threads feed it.
  CHECK(broadcast(2, Bytes{0}) == Time::from_us(56));
}

TEST_CASE("a runtime's send() chunks: each call pays the sender's overhead") {
  // 1000 B in calls of at most 400 B: 3 calls, 3 s of the sender's CPU before the message leaves: T + 2 s = 60 us
  // for one message (p = 2).
  CHECK(broadcast(1, Bytes{400}, 2) == kFifo + kSend * 2);
  CHECK(broadcast(1, Bytes{1000}, 2) == kFifo);  // one call exactly
}
