// Collective algorithms (ring, binomial tree, recursive doubling, hierarchical, and direct for the reductions and
// all-to-all) expanded into point-to-point steps.
//
// These tests pin step counts, bytes per rank and dependency depth against closed forms, each derived in a
// comment. That every schedule delivers what its collective promises is proved by the symbolic executor
// (symbolic_executor.hpp, run over every algorithm in symbolic_executor_test.cpp).
//
// Notation: p ranks, pieces m_r with sum S, reduction vectors of V bytes, b_r = block r of V (the balanced split:
// the first V mod p blocks hold one byte more), K = ceil(log2 p).

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "printing.hpp"
#include "schedule_helpers.hpp"
#include "shardsim/collective/collective.hpp"
#include "shardsim/util/error.hpp"

using shardsim::InternalError;
using namespace collective_test;  // the names of schedule_helpers.hpp

TEST_CASE("expand rejects what the planner should never build") {
  // Unsupported pairs, reductions of different sizes, groups that are not one per rank, negative sizes.
  CHECK_THROWS_AS(expand(make(CollectiveKind::all_to_all, Algorithm::tree, {1, 2})), InternalError);
  CHECK_THROWS_AS(expand(make(CollectiveKind::broadcast, Algorithm::recursive_doubling, {1, 2})), InternalError);
  CHECK_THROWS_AS(expand(make(CollectiveKind::all_reduce, Algorithm::ring, {8, 8, 9})), InternalError);
  CHECK_THROWS_AS(expand(make(CollectiveKind::reduce, Algorithm::direct, {8, 0})), InternalError);
  CHECK_THROWS_AS(expand(make(CollectiveKind::all_gather, Algorithm::hierarchical, {1, 2, 3}, 0, {0, 1})),
                  InternalError);
  CHECK_THROWS_AS(expand(make(CollectiveKind::gather, Algorithm::direct, {1, -2})), InternalError);
  CHECK_NOTHROW(expand(make(CollectiveKind::all_reduce, Algorithm::ring, {8, 8, 8})));
}

// ---------------------------------------------------------------------------------------------------------------
// direct

TEST_CASE("direct reductions and all-to-all") {
  // reduce, p = 4, V = 100, root 1: ranks 2, 3, 0 each send V to the root, which receives 3 V = 300.
  {
    const Schedule s = expand(make(CollectiveKind::reduce, Algorithm::direct, uniform(4, 100), 1));
    CHECK(s.steps.size() == 3);
    CHECK(sent(s, 4) == I64{100, 0, 100, 100});
    CHECK(received(s, 4) == I64{0, 300, 0, 0});
    CHECK(chain(s) == 1);
  }
  // all-reduce, p = 4, V = 100: every rank sends V to each of the 3 others: p (p - 1) = 12 steps, 300 B each way.
  {
    const Schedule s = expand(make(CollectiveKind::all_reduce, Algorithm::direct, uniform(4, 100)));
    CHECK(s.steps.size() == 12);
    CHECK(sent(s, 4) == I64{300, 300, 300, 300});
    CHECK(received(s, 4) == I64{300, 300, 300, 300});
    CHECK(s.deps.empty());
  }
  // reduce-scatter, p = 4, V = 10, blocks b = 3, 3, 2, 2: rank r sends block d to every d != r, V - b_r in all
  // (7, 7, 8, 8), and receives its block from the 3 others, 3 b_r (9, 9, 6, 6).
  {
    const Schedule s = expand(make(CollectiveKind::reduce_scatter, Algorithm::direct, uniform(4, 10)));
    CHECK(s.steps.size() == 12);
    CHECK(sent(s, 4) == I64{7, 7, 8, 8});
    CHECK(received(s, 4) == I64{9, 9, 6, 6});
  }
  // all-to-all, pieces 1, 2, 3, 4 (S = 10): rank r sends m_r to the 3 others, 3 m_r (3, 6, 9, 12), and receives
  // S - m_r (9, 8, 7, 6).
  {
    const Schedule s = expand(make(CollectiveKind::all_to_all, Algorithm::direct, {1, 2, 3, 4}));
    CHECK(s.steps.size() == 12);
    CHECK(sent(s, 4) == I64{3, 6, 9, 12});
    CHECK(received(s, 4) == I64{9, 8, 7, 6});
    CHECK(s.deps.empty());
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ring

TEST_CASE("ring all-gather: each rank receives the others' pieces in p - 1 steps") {
  // p = 5, pieces 10..50 (S = 150). Round k: rank r sends r+1 the piece of rank r-k, so over rounds 0..3 it sends
  // every piece but that of r-4 = r+1: S - m_{r+1} = 130, 120, 110, 100, 140; it receives every piece but its
  // own: S - m_r = 140, 130, 120, 110, 100, i.e. (p-1)/p of the result for equal pieces.
  const Schedule s = expand(make(CollectiveKind::all_gather, Algorithm::ring, {10, 20, 30, 40, 50}));
  CHECK(s.steps.size() == 20);  // p (p - 1)
  CHECK(messages_sent(s, 5) == I64{4, 4, 4, 4, 4});
  CHECK(sent(s, 5) == I64{130, 120, 110, 100, 140});
  CHECK(received(s, 5) == I64{140, 130, 120, 110, 100});
  for (const auto& step : s.steps) CHECK(step.dst == (step.src + 1) % 5);
  // Round 0 sends own pieces (no dependency); every later step forwards exactly one received piece.
  for (std::size_t k = 0; k < s.steps.size(); ++k) CHECK(s.deps_of(k).size() == (k < 5 ? 0u : 1u));
  CHECK(chain(s) == 4);  // p - 1
  CHECK(rounds(s, 5) == 4);
}

TEST_CASE("ring all-reduce: each rank sends 2 (p - 1) / p of the vector in 2 (p - 1) steps") {
  // p = 4, V = 1000, blocks of 250: p - 1 = 3 reduce-scatter rounds and 3 all-gather rounds of one block each:
  // 6 * 250 = 1500 = 2 (p - 1) / p V sent and received per rank, 2 p (p - 1) = 24 steps.
  const Schedule s = expand(make(CollectiveKind::all_reduce, Algorithm::ring, uniform(4, 1000)));
  CHECK(s.steps.size() == 24);
  CHECK(s.parts == 4);
  CHECK(sent(s, 4) == I64{1500, 1500, 1500, 1500});
  CHECK(received(s, 4) == I64{1500, 1500, 1500, 1500});
  CHECK(chain(s) == 6);  // 2 (p - 1): each round forwards what the previous one brought
  CHECK(rounds(s, 4) == 6);
  // Uneven blocks: V = 10 cut into 3, 3, 2, 2. Rank r sends every block but r in the reduce-scatter and every block
  // but r+1 in the all-gather: (V - b_r) + (V - b_{r+1}) = 7+7, 7+8, 8+8, 8+7. It receives every block but r-1,
  // then every block but r: (V - b_{r-1}) + (V - b_r) = 8+7, 7+7, 7+8, 8+8.
  const Schedule u = expand(make(CollectiveKind::all_reduce, Algorithm::ring, uniform(4, 10)));
  CHECK(sent(u, 4) == I64{14, 15, 16, 15});
  CHECK(received(u, 4) == I64{15, 14, 15, 16});
}

TEST_CASE("ring reduce-scatter: (p - 1) / p of the vector in p - 1 steps") {
  // p = 4, V = 1000: 3 rounds of one 250-byte block: 750 = (p - 1)/p V each way; p (p - 1) = 12 steps.
  const Schedule s = expand(make(CollectiveKind::reduce_scatter, Algorithm::ring, uniform(4, 1000)));
  CHECK(s.steps.size() == 12);
  CHECK(sent(s, 4) == I64{750, 750, 750, 750});
  CHECK(received(s, 4) == I64{750, 750, 750, 750});
  CHECK(chain(s) == 3);
  // The last round (k = 2) brings rank r its own block r from r-1, summed over the other three ranks.
  for (std::size_t k = 8; k < 12; ++k) {
    const auto parts = s.set(s.steps[k].parts);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].first == s.steps[k].dst);
    CHECK(parts[0].count == 1);
  }
}

TEST_CASE("ring broadcast and reduce are pipelined chains, ring gather forwards piece by piece") {
  // Broadcast, p = 5, m = 1000 from root 0: s = p - 1 = 4 segments of 250 go down the chain 0 -> 1 -> 2 -> 3 -> 4:
  // (p - 1) s = 16 steps; ranks 0..3 send m, ranks 1..4 receive m. A segment waits only for itself one hop back,
  // so the chain is p - 1 = 4 long; one message per rank per round takes (p - 2) + s = 7 rounds.
  {
    const Schedule s = expand(make(CollectiveKind::broadcast, Algorithm::ring, {1000, 0, 0, 0, 0}));
    CHECK(s.steps.size() == 16);
    CHECK(s.parts == 4);
    CHECK(sent(s, 5) == I64{1000, 1000, 1000, 1000, 0});
    CHECK(received(s, 5) == I64{0, 1000, 1000, 1000, 1000});
    CHECK(chain(s) == 4);
    CHECK(rounds(s, 5) == 7);
  }
  // A 2-byte message is never cut into empty segments: s = min(p - 1, 2) = 2, so 4 hops * 2 = 8 steps. Root 3:
  // the chain is 3 -> 4 -> 0 -> 1 -> 2.
  {
    const Schedule s = expand(make(CollectiveKind::broadcast, Algorithm::ring, {0, 0, 0, 2, 0}, 3));
    CHECK(s.steps.size() == 8);
    CHECK(sent(s, 5) == I64{2, 2, 0, 2, 2});  // every rank but the chain's last, 2
    CHECK(received(s, 5) == I64{2, 2, 2, 0, 2});
  }
  // Reduce, p = 4, V = 300 to root 0: 3 segments of 100 along 1 -> 2 -> 3 -> 0; ranks 1..3 send V, the root
  // receives V; 3 hops * 3 segments = 9 steps; chain p - 1 = 3.
  {
    const Schedule s = expand(make(CollectiveKind::reduce, Algorithm::ring, uniform(4, 300)));
    CHECK(s.steps.size() == 9);
    CHECK(sent(s, 4) == I64{0, 300, 300, 300});
    CHECK(received(s, 4) == I64{300, 0, 300, 300});
    CHECK(chain(s) == 3);
  }
  // Gather, p = 4, pieces 10, 20, 30, 40 to root 0 along 1 -> 2 -> 3 -> 0: rank 1 sends 20; rank 2 its 30 and then
  // the 20 (50); rank 3 its 40, then 30, then 20 (90 = S - m_0, all the root receives). 1 + 2 + 3 = p (p - 1) / 2
  // = 6 steps; rank 1's piece travels p - 1 = 3 hops.
  {
    const Schedule s = expand(make(CollectiveKind::gather, Algorithm::ring, {10, 20, 30, 40}));
    CHECK(s.steps.size() == 6);
    CHECK(sent(s, 4) == I64{0, 20, 50, 90});
    CHECK(received(s, 4) == I64{90, 0, 20, 50});
    CHECK(messages_sent(s, 4) == I64{0, 1, 2, 3});
    CHECK(chain(s) == 3);
  }
}

TEST_CASE("ring all-to-all is a shifted pairwise exchange") {
  // p = 4, pieces 1, 2, 3, 4: round k = 1..3 sends rank r's piece to r+k: the direct traffic (3 m_r sent, S - m_r
  // received) in p - 1 rounds, each waiting for the previous round's arrival.
  const Schedule s = expand(make(CollectiveKind::all_to_all, Algorithm::ring, {1, 2, 3, 4}));
  CHECK(s.steps.size() == 12);
  CHECK(sent(s, 4) == I64{3, 6, 9, 12});
  CHECK(received(s, 4) == I64{9, 8, 7, 6});
  for (std::size_t k = 0; k < 12; ++k) {
    CHECK(s.steps[k].dst == (s.steps[k].src + static_cast<int>(k / 4) + 1) % 4);
  }
  CHECK(chain(s) == 3);
  CHECK(rounds(s, 4) == 3);
}

// ---------------------------------------------------------------------------------------------------------------
// tree

TEST_CASE("binomial broadcast: p - 1 messages, the root sends ceil(log2 p), ceil(log2 p) rounds") {
  // Relative rank v receives from v minus its highest set bit, so its depth is popcount(v): the longest chain is
  // the largest popcount below p, floor(log2 p). The root sends to 2^j for every 2^j < p, i.e. K = ceil(log2 p)
  // messages, largest subtree first, and with one message per rank per round the broadcast takes K rounds.
  for (int p = 1; p <= 17; ++p) {
    int k = 0;
    while ((1 << k) < p) ++k;
    int floor_log = 0;
    while ((2 << floor_log) <= p) ++floor_log;
    for (int root : {0, p / 2, p - 1}) {
      INFO("p = " << p << ", root " << root);
      I64 pieces(static_cast<std::size_t>(p), 0);
      pieces[static_cast<std::size_t>(root)] = 64;
      const Schedule s = expand(make(CollectiveKind::broadcast, Algorithm::tree, pieces, root));
      CHECK(s.steps.size() == static_cast<std::size_t>(p - 1));
      CHECK(messages_sent(s, p)[static_cast<std::size_t>(root)] == k);
      CHECK(rounds(s, p) == k);
      CHECK(chain(s) == (p == 1 ? 0 : floor_log));
      const I64 in = received(s, p);
      for (int r = 0; r < p; ++r) CHECK(in[static_cast<std::size_t>(r)] == (r == root ? 0 : 64));
    }
  }
  // p = 8, root 0: 0 -> 4 first (the largest subtree), then 0 -> 2 and 4 -> 6, then 0 -> 1, 2 -> 3, 4 -> 5, 6 -> 7.
  const Schedule s = expand(make(CollectiveKind::broadcast, Algorithm::tree, {8, 0, 0, 0, 0, 0, 0, 0}));
  const std::vector<std::pair<int, int>> expected{{0, 4}, {0, 2}, {4, 6}, {0, 1}, {2, 3}, {4, 5}, {6, 7}};
  REQUIRE(s.steps.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(s.steps[i].src == expected[i].first);
    CHECK(s.steps[i].dst == expected[i].second);
  }
}

TEST_CASE("binomial gather and reduce send each subtree up once") {
  // Gather, p = 8, m = 10, root 0: rank v sends its subtree [v, v + lowbit(v)): odd ranks 10, ranks 2 and 6 20,
  // rank 4 40; the root receives 10 + 20 + 40 = 70 = 7 m from ranks 1, 2, 4. Chain log2 8 = 3 (7 -> 6 -> 4 -> 0).
  const Schedule g = expand(make(CollectiveKind::gather, Algorithm::tree, uniform(8, 10)));
  CHECK(g.steps.size() == 7);
  CHECK(sent(g, 8) == I64{0, 10, 20, 10, 40, 10, 20, 10});
  CHECK(received(g, 8) == I64{70, 0, 10, 0, 30, 0, 10, 0});
  CHECK(chain(g) == 3);
  // Gather, p = 6, pieces 1..6 to root 2: relative ranks v = r - 2 (mod 6), i.e. rank 2 + v. Subtrees: v=1 {1}
  // (rank 3), v=2 {2,3} (ranks 4,5), v=3 {3} (rank 5), v=4 {4,5} (ranks 0,1), v=5 {5} (rank 1). Sent: rank 0
  // (v=4) m_0 + m_1 = 3, rank 1 (v=5) 2, rank 3 (v=1) 4, rank 4 (v=2) 5 + 6 = 11, rank 5 (v=3) 6. The root
  // receives from v = 1, 2, 4: 4 + 11 + 3 = 18 = S - m_2 = 21 - 3.
  const Schedule h = expand(make(CollectiveKind::gather, Algorithm::tree, {1, 2, 3, 4, 5, 6}, 2));
  CHECK(sent(h, 6) == I64{3, 2, 0, 4, 11, 6});
  CHECK(received(h, 6)[2] == 18);
  // Reduce, p = 8, V = 100: every non-root rank sends one partial sum of V: p - 1 steps; the root receives 3 V.
  const Schedule r = expand(make(CollectiveKind::reduce, Algorithm::tree, uniform(8, 100)));
  CHECK(r.steps.size() == 7);
  CHECK(sent(r, 8) == I64{0, 100, 100, 100, 100, 100, 100, 100});
  CHECK(received(r, 8)[0] == 300);
  CHECK(chain(r) == 3);
}

TEST_CASE("tree all-gather, all-reduce and reduce-scatter go up the tree and back down") {
  // p = 8: 7 steps up, 7 down; chain 3 + 3.
  const Schedule ag = expand(make(CollectiveKind::all_gather, Algorithm::tree, uniform(8, 10)));
  CHECK(ag.steps.size() == 14);
  CHECK(chain(ag) == 6);
  // Up as in the gather (odd ranks 10, ranks 2 and 6 20, rank 4 40); down, every step carries all 80 B: the root
  // sends 3 of them, rank 4 two (to 6 and 5), ranks 2 and 6 one each.
  CHECK(sent(ag, 8) == I64{240, 10, 20 + 80, 10, 40 + 160, 10, 20 + 80, 10});
  const Schedule ar = expand(make(CollectiveKind::all_reduce, Algorithm::tree, uniform(8, 100)));
  CHECK(ar.steps.size() == 14);
  CHECK(chain(ar) == 6);
  // Reduce-scatter, V = 800 (blocks of 100): up, every non-root rank sends V once (the root receives 3 V, ranks 2
  // and 6 one V, rank 4 two). Down, v sends v + mask that subtree's blocks: 0 -> 4 400, 0 -> 2 200, 4 -> 6 200,
  // then 0 -> 1, 2 -> 3, 4 -> 5, 6 -> 7 100 each.
  //   sent:     rank 0 400 + 200 + 100 = 700, rank 2 800 + 100, rank 4 800 + 200 + 100, rank 6 800 + 100, odd 800
  //   received: rank 0 2400, rank 2 800 + 200, rank 4 1600 + 400, rank 6 800 + 200, odd 100
  const Schedule rs = expand(make(CollectiveKind::reduce_scatter, Algorithm::tree, uniform(8, 800)));
  CHECK(rs.steps.size() == 14);
  CHECK(sent(rs, 8) == I64{700, 800, 900, 800, 1100, 800, 900, 800});
  CHECK(received(rs, 8) == I64{2400, 100, 1000, 100, 2000, 100, 1000, 100});
}

// ---------------------------------------------------------------------------------------------------------------
// recursive doubling

TEST_CASE("recursive doubling all-gather: log2 p rounds of doubling size") {
  // p = 8, m = 10: round k exchanges aligned blocks of 2^k pieces: 10, 20, 40 B; each rank sends and receives
  // 70 = (p - 1) m; p log2 p = 24 steps; each round waits for everything received before: chain 3.
  const Schedule s = expand(make(CollectiveKind::all_gather, Algorithm::recursive_doubling, uniform(8, 10)));
  REQUIRE(s.steps.size() == 24);
  for (std::size_t k = 0; k < 24; ++k) {
    CHECK(s.steps[k].bytes == Bytes{10 << (k / 8)});
    CHECK((s.steps[k].src ^ s.steps[k].dst) == 1 << (k / 8));
  }
  CHECK(sent(s, 8) == uniform(8, 70));
  CHECK(received(s, 8) == uniform(8, 70));
  CHECK(chain(s) == 3);
  CHECK(rounds(s, 8) == 3);
}

TEST_CASE("recursive doubling folds the extra ranks of a non-power-of-two in and out") {
  // p = 6 = 4 + 2, m = 10: ranks 0 and 2 fold into 1 and 3 (10 B each); virtual ranks 0..3 are ranks 1, 3, 4, 5.
  // Round 0: 1 <-> 3 exchange pieces {0,1} and {2,3} (20 B each), 4 <-> 5 pieces {4}, {5} (10 B each). Round 1:
  // 1 <-> 4 and 3 <-> 5: 1 and 3 send pieces 0..3 (40 B), 4 and 5 send pieces {4,5} (20 B). Fold out: 1 -> 0 and
  // 3 -> 2 send all 60 B. Sent: 10, 20+40+60, 10, 120, 10+20, 30. Received: 60, 10+20+20 = 50 = S - m, 60, 50, 50,
  // 50. 2 + 4 * 2 + 2 = 12 steps.
  // Chain: a fold-in (0 -> 1), round 0 from virtual 0 (1 -> 3), round 1 from virtual 1 (3 -> 5) = 3; a fold-out
  // could only extend it if the round-1 step ended on a folded rank, but that path ends on virtual 0 xor 3 = 3 or
  // 1 xor 3 = 2, neither folded (that needs more than half of the virtual ranks folded, e.g. p = 7). With one
  // message per rank per round: fold-ins and the unfolded ranks' round 0 in round 1, the folded ranks' round 0 and
  // the unfolded ranks' round 1 in round 2, the folded ranks' round 1 in round 3, their fold-out in round 4.
  const Schedule s = expand(make(CollectiveKind::all_gather, Algorithm::recursive_doubling, uniform(6, 10)));
  CHECK(s.steps.size() == 12);
  CHECK(sent(s, 6) == I64{10, 120, 10, 120, 30, 30});
  CHECK(received(s, 6) == I64{60, 50, 60, 50, 50, 50});
  CHECK(chain(s) == 3);
  CHECK(rounds(s, 6) == 4);
  // p = 7 = 4 + 3: virtual 0 (rank 1, folded) -> 1 -> 3 -> 2 (rank 5, folded) -> fold-out: 1 + 2 + 1 = 4 steps.
  const Schedule seven = expand(make(CollectiveKind::all_gather, Algorithm::recursive_doubling, uniform(7, 10)));
  CHECK(seven.steps.size() == 3 + 8 + 3);
  CHECK(chain(seven) == 4);
}

TEST_CASE("recursive doubling all-reduce and recursive halving reduce-scatter") {
  // All-reduce, p = 8, V = 100: 3 rounds, each exchanging the whole partial sum: 3 V = 300 per rank; chain 3.
  const Schedule ar = expand(make(CollectiveKind::all_reduce, Algorithm::recursive_doubling, uniform(8, 100)));
  CHECK(ar.steps.size() == 24);
  CHECK(sent(ar, 8) == uniform(8, 300));
  CHECK(received(ar, 8) == uniform(8, 300));
  CHECK(chain(ar) == 3);
  // Reduce-scatter, p = 8, V = 800 (blocks of 100): halves of 400, 200, 100 with partners at distance 4, 2, 1:
  // 700 = (p - 1)/p V per rank; chain 3.
  const Schedule rs = expand(make(CollectiveKind::reduce_scatter, Algorithm::recursive_doubling, uniform(8, 800)));
  REQUIRE(rs.steps.size() == 24);
  for (std::size_t k = 0; k < 24; ++k) {
    CHECK(rs.steps[k].bytes == Bytes{400 >> (k / 8)});
    CHECK((rs.steps[k].src ^ rs.steps[k].dst) == 4 >> (k / 8));
  }
  CHECK(sent(rs, 8) == uniform(8, 700));
  CHECK(received(rs, 8) == uniform(8, 700));
  CHECK(chain(rs) == 3);
  // p = 3 = 2 + 1, V = 300 (blocks of 100): 0 folds into 1 (300); 1 and 2 exchange halves: 1 sends 2 block 2
  // (100) and 2 sends 1 blocks 0, 1 (200); 1 hands 0 its block (100). Chain 2: the fold-out waits for the fold-in
  // and for 2's half, neither of which waits for anything.
  const Schedule odd = expand(make(CollectiveKind::reduce_scatter, Algorithm::recursive_doubling, uniform(3, 300)));
  CHECK(odd.steps.size() == 4);
  CHECK(sent(odd, 3) == I64{300, 200, 200});
  CHECK(received(odd, 3) == I64{100, 500, 100});
  CHECK(chain(odd) == 2);
}

// ---------------------------------------------------------------------------------------------------------------
// hierarchical

TEST_CASE("hierarchical all-gather: members to leaders, a ring of leaders, leaders back to members") {
  // p = 6 in groups {0, 1, 2}, {3, 4}, {5}; leaders 0, 3, 5; pieces 10..60 (S = 210); group chunks 60, 90, 60.
  // Members up: 1 -> 0 (20), 2 -> 0 (30), 4 -> 3 (50). Ring of leaders 0 -> 3 -> 5 -> 0, round 0: own chunks
  // (0 sends 60, 3 sends 90, 5 sends 60); round 1: forwarded (0 sends group 2's 60, 3 group 0's 60, 5 group 1's
  // 90). Down: 0 -> 1, 0 -> 2, 3 -> 4, 210 each. Leader i sends every chunk but group i+1's, plus (size - 1) S:
  //   rank 0: 60 + 60 + 2 * 210 = 540; rank 3: 90 + 60 + 210 = 360; rank 5: 60 + 90 = 150.
  // A leader receives its members' pieces and the other chunks: rank 0: 50 + 60 + 90 = 200 = S - m_0; rank 3:
  // 50 + 60 + 60 = 170 = S - m_3; rank 5: 150 = S - m_5.
  const Schedule s = expand(make(CollectiveKind::all_gather, Algorithm::hierarchical, {10, 20, 30, 40, 50, 60}, 0,
                                 {7, 7, 7, 3, 3, 9}));
  CHECK(s.steps.size() == 12);  // 3 up + 3 * 2 ring + 3 down
  CHECK(sent(s, 6) == I64{540, 20, 30, 360, 50, 150});
  CHECK(received(s, 6) == I64{200, 210, 210, 170, 210, 150});
  CHECK(chain(s) == 4);  // 4 -> 3, 3 -> 5, 5 -> 0, 0 -> 1
  // Only leaders talk across groups.
  const std::vector<int> group{7, 7, 7, 3, 3, 9};
  for (const auto& step : s.steps) {
    if (group[static_cast<std::size_t>(step.src)] != group[static_cast<std::size_t>(step.dst)]) {
      CHECK((step.src == 0 || step.src == 3 || step.src == 5));
      CHECK((step.dst == 0 || step.dst == 3 || step.dst == 5));
    }
  }
}

TEST_CASE("hierarchical all-reduce and reduce-scatter") {
  // All-reduce, groups {0, 1, 2}, {3, 4}, {5}, V = 900 cut into G = 3 parts of 300. Up: 1, 2, 4 send V. Leaders
  // 0, 3, 5 run a ring all-reduce: 2 (G - 1) = 4 rounds of one part, 1200 = 2 (G-1)/G V each way. Down: 0 -> 1,
  // 0 -> 2, 3 -> 4 send V. Sent: rank 0 1200 + 1800, rank 3 1200 + 900, rank 5 1200, members 900. Received: rank 0
  // 1800 + 1200, rank 3 900 + 1200, rank 5 1200, members 900. Chain: up, 4 ring rounds, down = 6.
  const std::vector<int> groups{0, 0, 0, 1, 1, 2};
  const Schedule ar = expand(make(CollectiveKind::all_reduce, Algorithm::hierarchical, uniform(6, 900), 0, groups));
  CHECK(ar.steps.size() == 18);
  CHECK(ar.parts == 3);
  CHECK(sent(ar, 6) == I64{3000, 900, 900, 2100, 900, 1200});
  CHECK(received(ar, 6) == I64{3000, 900, 900, 2100, 900, 1200});
  CHECK(chain(ar) == 6);
  // Reduce-scatter, V = 600 (blocks of 100): up, ranks 1, 2, 4 send 600. Ring reduce-scatter of the groups' chunks
  // (group 0: blocks 0-2, 300 B; group 1: blocks 3-4, 200 B; group 2: block 5, 100 B): in round k leader i sends
  // chunk i-k-1: leader 0 sends chunk 2 (100) then chunk 1 (200) to 3; leader 3 chunk 0 (300) then chunk 2 (100)
  // to 5; leader 5 chunk 1 (200) then chunk 0 (300) to 0. Down: 0 -> 1, 0 -> 2, 3 -> 4, one 100-byte block each.
  //   sent:     rank 0 100 + 200 + 2 * 100 = 500, rank 3 300 + 100 + 100 = 500, rank 5 200 + 300 = 500, members 600
  //   received: rank 0 2 * 600 + 200 + 300 = 1700, rank 3 600 + 100 + 200 = 900, rank 5 300 + 100 = 400,
  //             members 100
  // Chain: 4 -> 3, 3 -> 5, 5 -> 0, 0 -> 1 = 4.
  const Schedule rs =
      expand(make(CollectiveKind::reduce_scatter, Algorithm::hierarchical, uniform(6, 600), 0, groups));
  CHECK(rs.steps.size() == 12);  // 3 up, 3 * 2 ring, 3 down
  CHECK(sent(rs, 6) == I64{500, 600, 600, 500, 600, 500});
  CHECK(received(rs, 6) == I64{1700, 100, 100, 900, 100, 400});
  CHECK(chain(rs) == 4);
}

TEST_CASE("hierarchical rooted collectives: the root leads its own group") {
  // Groups {0, 1, 2}, {3, 4}, {5}; root 4, so group {3, 4} is led by 4 (not its lowest rank 3).
  const std::vector<int> groups{0, 0, 0, 1, 1, 2};
  // Broadcast of 100 B: the root sends to the other leaders 0 and 5 first, then to its member 3; leader 0 then
  // sends to 1 and 2. Chain 2 (4 -> 0 -> 1).
  const Schedule b =
      expand(make(CollectiveKind::broadcast, Algorithm::hierarchical, {0, 0, 0, 0, 100, 0}, 4, groups));
  const std::vector<std::pair<int, int>> expected{{4, 0}, {4, 5}, {0, 1}, {0, 2}, {4, 3}};
  REQUIRE(b.steps.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(b.steps[i].src == expected[i].first);
    CHECK(b.steps[i].dst == expected[i].second);
  }
  CHECK(chain(b) == 2);
  // Gather, pieces 1..6 (S = 21): 1 -> 0 (2), 2 -> 0 (3), 3 -> 4 (4); then 0 -> 4 group {0,1,2} (6) and 5 -> 4
  // (6). The root receives 4 + 6 + 6 = 16 = S - m_4.
  const Schedule g = expand(make(CollectiveKind::gather, Algorithm::hierarchical, {1, 2, 3, 4, 5, 6}, 4, groups));
  CHECK(g.steps.size() == 5);
  CHECK(sent(g, 6) == I64{6, 2, 3, 4, 0, 6});
  CHECK(received(g, 6) == I64{5, 0, 0, 0, 16, 0});
  CHECK(chain(g) == 2);
  // Reduce, V = 50: the same shape, every message 50 B; the root receives its member's and 2 leaders' sums.
  const Schedule r = expand(make(CollectiveKind::reduce, Algorithm::hierarchical, uniform(6, 50), 4, groups));
  CHECK(sent(r, 6) == I64{50, 50, 50, 50, 0, 50});
  CHECK(received(r, 6) == I64{100, 0, 0, 0, 150, 0});
}

TEST_CASE("hierarchical degenerates to its parts with one group or one rank per group") {
  // One group (no ids): members straight to the leader and back, no leader ring: all-gather of p = 4 pieces 1..4
  // is 3 up + 3 down; rank 0 receives 2 + 3 + 4 = 9 and sends 3 * 10.
  const Schedule one = expand(make(CollectiveKind::all_gather, Algorithm::hierarchical, {1, 2, 3, 4}));
  CHECK(one.steps.size() == 6);
  CHECK(sent(one, 4) == I64{30, 2, 3, 4});
  CHECK(chain(one) == 2);
  // One rank per group: every rank is a leader, no member steps, and the leaders' ring is the ring all-gather.
  const auto alone = make(CollectiveKind::all_gather, Algorithm::hierarchical, {10, 20, 30, 40, 50}, 0,
                          {0, 1, 2, 3, 4});
  const Schedule ring = expand(make(CollectiveKind::all_gather, Algorithm::ring, {10, 20, 30, 40, 50}));
  const Schedule h = expand(alone);
  REQUIRE(h.steps.size() == ring.steps.size());
  for (std::size_t k = 0; k < h.steps.size(); ++k) {
    CHECK(h.steps[k].src == ring.steps[k].src);
    CHECK(h.steps[k].dst == ring.steps[k].dst);
    CHECK(h.steps[k].bytes == ring.steps[k].bytes);
  }
  CHECK(chain(h) == 4);
}

TEST_CASE("total traffic follows the closed forms for every p") {
  // Pieces m_r = 100 + 37 r (S their sum), V = 1000, p = 1..17, several roots. Relative rank v = r - root.
  auto popcount = [](int v) {
    int c = 0;
    for (; v != 0; v &= v - 1) ++c;
    return c;
  };
  auto total = [](const I64& per_rank) {
    std::int64_t t = 0;
    for (std::int64_t b : per_rank) t += b;
    return t;
  };
  for (int p = 1; p <= 17; ++p) {
    I64 pieces;
    for (int r = 0; r < p; ++r) pieces.push_back(100 + 37 * r);
    const std::int64_t sum = total(pieces);
    const std::int64_t v_bytes = 1000;
    auto block = [&](int r) { return part(v_bytes, p, r); };
    for (int root : std::set<int>{0, p / 2, p - 1}) {
      INFO("p = " << p << ", root " << root);
      auto m = [&](int r) { return pieces[static_cast<std::size_t>(r)]; };
      auto real = [&](int v) { return (v + root) % p; };
      // Binomial gather: the piece of relative rank v climbs popcount(v) hops (each clears its lowest bit).
      // Binomial reduce-scatter: V from each non-root rank once, then the block of v descends popcount(v) hops.
      std::int64_t gather = 0;
      std::int64_t scatter = 0;
      for (int v = 1; v < p; ++v) {
        gather += popcount(v) * m(real(v));
        scatter += popcount(v) * block(real(v));
      }
      CHECK(total(sent(expand(make(CollectiveKind::gather, Algorithm::tree, pieces, root)), p)) == gather);
      CHECK(total(sent(expand(make(CollectiveKind::reduce_scatter, Algorithm::tree, uniform(p, v_bytes), root)),
                       p)) == (p - 1) * v_bytes + scatter);
      // Ring gather: the piece of root+j travels p - j hops. Ring broadcast and reduce: p - 1 hops of the message.
      std::int64_t chain_gather = 0;
      for (int j = 1; j < p; ++j) chain_gather += (p - j) * m(real(j));
      CHECK(total(sent(expand(make(CollectiveKind::gather, Algorithm::ring, pieces, root)), p)) == chain_gather);
      CHECK(total(sent(expand(make(CollectiveKind::broadcast, Algorithm::ring, pieces, root)), p)) ==
            (p - 1) * m(root));
      CHECK(total(sent(expand(make(CollectiveKind::reduce, Algorithm::ring, uniform(p, v_bytes), root)), p)) ==
            (p - 1) * v_bytes);
    }
    // Ring: all-gather (p - 1) S; reduce-scatter (p - 1) V; all-reduce 2 (p - 1) V in total.
    CHECK(total(sent(expand(make(CollectiveKind::all_gather, Algorithm::ring, pieces)), p)) == (p - 1) * sum);
    CHECK(total(sent(expand(make(CollectiveKind::reduce_scatter, Algorithm::ring, uniform(p, v_bytes))), p)) ==
          (p - 1) * v_bytes);
    CHECK(total(sent(expand(make(CollectiveKind::all_reduce, Algorithm::ring, uniform(p, v_bytes))), p)) ==
          2 * (p - 1) * v_bytes);
    // Recursive doubling all-gather: a participating rank receives exactly the pieces it lacks, S - m_r (rank 2i+1
    // gets m_2i by the fold-in and the rest in the rounds); a folded-out rank 2i receives the whole result S.
    const int q = [&] {
      int x = 1;
      while (x * 2 <= p) x *= 2;
      return x;
    }();
    const int rem = p - q;
    const I64 rd = received(expand(make(CollectiveKind::all_gather, Algorithm::recursive_doubling, pieces)), p);
    for (int r = 0; r < p; ++r) {
      const bool folded = r < 2 * rem && r % 2 == 0;
      CHECK(rd[static_cast<std::size_t>(r)] == (folded ? sum : sum - pieces[static_cast<std::size_t>(r)]));
    }
  }
}
