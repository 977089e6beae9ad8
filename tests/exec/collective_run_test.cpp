// CollectiveRun (src/exec/collective_run.hpp): when each step of a collective is sent, which mark it extends, and
// when each rank completes, driven by hand with the events the executor would give it (in time order).

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "collective_run.hpp"
#include "printing.hpp"

using namespace shardsim;
using exec::CollectiveRun;
using exec::Mark;
using Sent = std::vector<CollectiveRun::StepIndex>;

namespace {

Mark at(std::int64_t ps) { return Mark{Time{ps}, {}, {}, exec::PathStepId::none}; }

plan::CollectiveOp all_gather(collective::Algorithm algorithm, int ranks) {
  plan::CollectiveOp c;
  c.spec.kind = collective::CollectiveKind::all_gather;
  c.spec.algorithm = algorithm;
  c.spec.pieces.assign(static_cast<std::size_t>(ranks), Bytes{8});
  for (int r = 0; r < ranks; ++r) c.members.push_back(10 + r);
  return c;
}

}  // namespace

TEST_CASE("ring all-gather on 3 ranks: a step goes once its source is ready and its piece has arrived") {
  // collective::expand numbers the ring round-major, step k * 3 + r from rank r in round k:
  //   round 0: 0: 0->1, 1: 1->2, 2: 2->0 (each its own piece)
  //   round 1: 3: 0->1 after 2, 4: 1->2 after 0, 5: 2->0 after 1 (forwarding what arrived)
  const plan::CollectiveOp c = all_gather(collective::Algorithm::ring, 3);
  CollectiveRun run(7, c);
  REQUIRE(run.ranks() == 3);
  CHECK(run.op() == 7);
  CHECK(run.member(2) == 12);
  Sent sent;
  auto send = [&](CollectiveRun::StepIndex k) { sent.push_back(k); };

  // t = 0: rank 0 ready; it sends its own piece; step 3 waits for step 2.
  run.rank_ready(0, at(0), send);
  CHECK(sent == Sent{0});
  CHECK(run.first_ready() == Time{0});
  CHECK_FALSE(run.completes(0));
  // t = 10: step 0 delivered to rank 1. Step 4 no longer waits for a delivery, but rank 1 is not ready.
  run.delivered(0, at(10), send);
  CHECK(sent == Sent{0});
  // t = 12: rank 1 ready: its round 0 step and step 4, in schedule order, both extending its ready mark (the
  // later of the two, and the rank's on a tie).
  run.rank_ready(1, at(12), send);
  CHECK(sent == Sent{0, 1, 4});
  CHECK(run.base(4).time == Time{12});
  CHECK(run.base(1).time == Time{12});
  // t = 13: rank 2 ready: step 2; step 5 waits for step 1.
  run.rank_ready(2, at(13), send);
  CHECK(sent == Sent{0, 1, 4, 2});
  // t = 20: step 1 delivered to rank 2: step 5 goes, extending that delivery (later than rank 2's ready mark).
  run.delivered(1, at(20), send);
  CHECK(sent == Sent{0, 1, 4, 2, 5});
  CHECK(run.base(5).time == Time{20});
  // t = 21: step 2 delivered to rank 0: step 3 goes.
  run.delivered(2, at(21), send);
  CHECK(sent == Sent{0, 1, 4, 2, 5, 3});
  CHECK(run.base(3).time == Time{21});
  CHECK_FALSE(run.completes(0));  // step 5 still on its way

  // Rank 2 has both pieces at t = 30: complete with its latest delivery; once only.
  run.delivered(4, at(30), send);
  REQUIRE(run.completes(2));
  CHECK(run.complete(2).time == Time{30});
  CHECK_FALSE(run.completes(2));
  CHECK_FALSE(run.count_completed());
  run.delivered(3, at(31), send);
  run.delivered(5, at(32), send);
  CHECK(sent.size() == 6);  // nothing more to send
  REQUIRE(run.completes(1));
  CHECK(run.complete(1).time == Time{31});
  CHECK_FALSE(run.count_completed());
  REQUIRE(run.completes(0));
  CHECK(run.complete(0).time == Time{32});
  CHECK(run.count_completed());  // the last rank: complete everywhere
}

TEST_CASE("direct all-gather: a ready rank sends everything at once, and completes with the later mark") {
  // Steps source-major, destinations after the source: 0: 0->1, 1: 1->0.
  const plan::CollectiveOp c = all_gather(collective::Algorithm::direct, 2);
  CollectiveRun run(0, c);
  Sent sent;
  auto send = [&](CollectiveRun::StepIndex k) { sent.push_back(k); };
  run.rank_ready(1, at(5), send);
  CHECK(sent == Sent{1});
  CHECK(run.first_ready() == Time{5});
  // t = 9: rank 0 receives rank 1's piece, then becomes ready itself (a path of 9 ps of compute) and sends.
  Mark delivery = at(9);
  delivery.cp.latency = Time{9};
  run.delivered(1, delivery, send);
  CHECK_FALSE(run.completes(0));  // it has the piece, but is not ready
  Mark ready0 = at(9);
  ready0.cp.compute = Time{9};
  run.rank_ready(0, ready0, send);
  CHECK(sent == Sent{1, 0});
  CHECK(run.base(0).cp.compute == Time{9});  // without dependencies, a step extends its source's ready mark
  // Equal times: rank 0 completes with its ready mark, not the delivery's.
  REQUIRE(run.completes(0));
  const Mark done0 = run.complete(0);
  CHECK(done0.time == Time{9});
  CHECK(done0.cp.compute == Time{9});
  CHECK(done0.cp.latency == Time{0});
  // Rank 1 was ready at t = 5; its delivery at t = 20 is later and is what it completes with.
  run.delivered(0, at(20), send);
  REQUIRE(run.completes(1));
  CHECK(run.complete(1).time == Time{20});
}

TEST_CASE("ring all-gather on 64 ranks holds one base per rank, not one per step") {
  // Every rank ready at t = 0, then the sent steps delivered in the order they were sent (a FIFO). Round 0 sends
  // the p = 64 own pieces, each step holding a base. Delivering step (k, r) releases its base and lets step
  // (k+1, r+1) go with one: p bases alive through rounds 0..p-2, none at the end, so the pool never grows past
  // p = 64 although the schedule has p (p - 1) = 4032 steps.
  const int p = 64;
  const plan::CollectiveOp c = all_gather(collective::Algorithm::ring, p);
  CollectiveRun run(0, c);
  Sent sent;
  auto send = [&](CollectiveRun::StepIndex k) { sent.push_back(k); };
  for (int r = 0; r < p; ++r) run.rank_ready(r, at(0), send);
  CHECK(sent.size() == static_cast<std::size_t>(p));
  std::size_t most = 0;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    most = std::max(most, run.bases_held());
    run.delivered(sent[i], at(static_cast<std::int64_t>(i + 1)), send);
  }
  CHECK(sent.size() == static_cast<std::size_t>(p * (p - 1)));
  CHECK(most == static_cast<std::size_t>(p));
  CHECK(run.bases_pooled() == static_cast<std::size_t>(p));
  CHECK(run.bases_held() == 0);
  for (int r = 0; r < p; ++r) CHECK(run.completes(r));
}
