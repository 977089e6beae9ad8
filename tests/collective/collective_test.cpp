// Direct collectives expanded into point-to-point steps, and the payload each collective delivers.
//
// Closed forms for p ranks with pieces m_0 .. m_{p-1} (S = their sum), all derived from "every message goes
// straight from its source to each destination that needs it":
//   broadcast from root q of message m = m_q:  p - 1 steps; q sends (p - 1) m, every other rank receives m.
//   gather to root q:                          p - 1 steps; rank r != q sends m_r, q receives S - m_q.
//   all-gather:                                p (p - 1) steps; rank r sends (p - 1) m_r, receives S - m_r.
// Payload delivered (design.md §3) counts what every rank holds as the result, its own piece included:
//   broadcast p m, all-gather p S, gather S (only the root holds the result).

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "printing.hpp"
#include "shardsim/collective/collective.hpp"
#include "shardsim/util/error.hpp"

using shardsim::Bytes;
using shardsim::InternalError;
using shardsim::collective::Algorithm;
using shardsim::collective::CollectiveKind;
using shardsim::collective::CollectiveSpec;
using shardsim::collective::expand;
using shardsim::collective::payload_delivered;
using shardsim::collective::result_bytes;
using shardsim::collective::Schedule;

namespace {

CollectiveSpec make(CollectiveKind kind, std::vector<std::int64_t> pieces, int root = 0) {
  CollectiveSpec spec;
  spec.kind = kind;
  spec.algorithm = Algorithm::direct;
  spec.root = root;
  for (std::int64_t b : pieces) spec.pieces.push_back(Bytes{b});
  return spec;
}

struct Traffic {
  std::vector<std::int64_t> sent;
  std::vector<std::int64_t> received;
};

// Bytes sent and received per rank, summed over the schedule's steps.
Traffic traffic(const Schedule& s, int ranks) {
  Traffic t{std::vector<std::int64_t>(static_cast<std::size_t>(ranks), 0),
            std::vector<std::int64_t>(static_cast<std::size_t>(ranks), 0)};
  for (const auto& step : s.steps) {
    REQUIRE(step.src >= 0);
    REQUIRE(step.src < ranks);
    REQUIRE(step.dst >= 0);
    REQUIRE(step.dst < ranks);
    t.sent[static_cast<std::size_t>(step.src)] += step.bytes.count;
    t.received[static_cast<std::size_t>(step.dst)] += step.bytes.count;
  }
  return t;
}

// The direct algorithm sends everything at once: no step waits for another.
void check_no_dependencies(const Schedule& s) {
  REQUIRE(s.dep_begin.size() == s.steps.size() + 1);
  for (std::uint32_t b : s.dep_begin) CHECK(b == 0);
  CHECK(s.deps.empty());
}

void check_no_self_sends(const Schedule& s) {
  for (const auto& step : s.steps) CHECK(step.src != step.dst);
}

// Each ordered pair (src, dst) at most once.
void check_pairs_unique(const Schedule& s) {
  std::set<std::pair<int, int>> pairs;
  for (const auto& step : s.steps) CHECK(pairs.emplace(step.src, step.dst).second);
}

}  // namespace

TEST_CASE("direct broadcast sends the root's message to every other rank") {
  // 4 ranks, root 0, a message of 6144 B: 3 steps of 6144 B, all from rank 0.
  const auto spec = make(CollectiveKind::broadcast, {6144, 0, 0, 0});
  const Schedule s = expand(spec);
  REQUIRE(s.steps.size() == 3);  // p - 1 = 3
  std::set<int> destinations;
  for (const auto& step : s.steps) {
    CHECK(step.src == 0);
    CHECK(step.bytes == Bytes{6144});
    destinations.insert(step.dst);
  }
  CHECK(destinations == std::set<int>{1, 2, 3});
  const Traffic t = traffic(s, 4);
  CHECK(t.sent == std::vector<std::int64_t>{18'432, 0, 0, 0});         // root: (p - 1) m = 3 * 6144
  CHECK(t.received == std::vector<std::int64_t>{0, 6144, 6144, 6144});  // every other rank: m
  check_no_dependencies(s);
  check_no_self_sends(s);
}

TEST_CASE("direct broadcast from a root other than 0 ignores the other pieces") {
  // 5 ranks, root 2; only pieces[2] = 100 is the message, the other entries are ignored.
  const auto spec = make(CollectiveKind::broadcast, {1, 7, 100, 9, 3}, 2);
  const Schedule s = expand(spec);
  REQUIRE(s.steps.size() == 4);  // p - 1
  std::set<int> destinations;
  for (const auto& step : s.steps) {
    CHECK(step.src == 2);
    CHECK(step.bytes == Bytes{100});
    destinations.insert(step.dst);
  }
  CHECK(destinations == std::set<int>{0, 1, 3, 4});
  const Traffic t = traffic(s, 5);
  CHECK(t.sent == std::vector<std::int64_t>{0, 0, 400, 0, 0});           // 4 * 100 from the root
  CHECK(t.received == std::vector<std::int64_t>{100, 100, 0, 100, 100});
  CHECK(result_bytes(spec) == Bytes{100});       // each rank ends with the message
  CHECK(payload_delivered(spec) == Bytes{500});  // p m = 5 * 100, the root's own copy included
  check_no_dependencies(s);
}

TEST_CASE("direct gather collects uneven pieces on the root") {
  // 4 ranks with pieces 10, 20, 30, 40 (S = 100), root 0.
  const auto spec = make(CollectiveKind::gather, {10, 20, 30, 40});
  const Schedule s = expand(spec);
  REQUIRE(s.steps.size() == 3);  // p - 1
  for (const auto& step : s.steps) {
    CHECK(step.dst == 0);
    CHECK(step.bytes == spec.pieces[static_cast<std::size_t>(step.src)]);  // each rank sends its own piece
  }
  const Traffic t = traffic(s, 4);
  CHECK(t.sent == std::vector<std::int64_t>{0, 20, 30, 40});
  CHECK(t.received == std::vector<std::int64_t>{90, 0, 0, 0});  // S - m_0 = 100 - 10
  CHECK(result_bytes(spec) == Bytes{100});                      // the concatenation: S
  CHECK(payload_delivered(spec) == Bytes{100});                 // only the root holds it: S
  check_no_dependencies(s);
  check_no_self_sends(s);
  check_pairs_unique(s);
}

TEST_CASE("direct gather to a root other than 0") {
  // 4 ranks with pieces 10, 20, 30, 40, root 3: ranks 0, 1, 2 send their pieces to rank 3.
  const auto spec = make(CollectiveKind::gather, {10, 20, 30, 40}, 3);
  const Schedule s = expand(spec);
  REQUIRE(s.steps.size() == 3);
  std::set<int> sources;
  for (const auto& step : s.steps) {
    CHECK(step.dst == 3);
    sources.insert(step.src);
  }
  CHECK(sources == std::set<int>{0, 1, 2});
  const Traffic t = traffic(s, 4);
  CHECK(t.sent == std::vector<std::int64_t>{10, 20, 30, 0});
  CHECK(t.received == std::vector<std::int64_t>{0, 0, 0, 60});  // S - m_3 = 100 - 40
  CHECK(payload_delivered(spec) == Bytes{100});                 // S, whoever the root is
  check_no_dependencies(s);
}

TEST_CASE("direct all-gather sends every piece to every other rank") {
  // 4 ranks with uneven pieces 1, 2, 3, 4 (S = 10).
  const auto spec = make(CollectiveKind::all_gather, {1, 2, 3, 4});
  const Schedule s = expand(spec);
  REQUIRE(s.steps.size() == 12);  // p (p - 1) = 4 * 3
  for (const auto& step : s.steps) {
    CHECK(step.bytes == spec.pieces[static_cast<std::size_t>(step.src)]);
  }
  const Traffic t = traffic(s, 4);
  CHECK(t.sent == std::vector<std::int64_t>{3, 6, 9, 12});     // (p - 1) m_r = 3 m_r
  CHECK(t.received == std::vector<std::int64_t>{9, 8, 7, 6});  // S - m_r = 10 - m_r
  CHECK(result_bytes(spec) == Bytes{10});                      // every rank ends with all pieces: S
  CHECK(payload_delivered(spec) == Bytes{40});                 // p S = 4 * 10
  check_no_dependencies(s);
  check_no_self_sends(s);
  check_pairs_unique(s);  // 12 distinct ordered pairs: every (src, dst) with src != dst, once
}

TEST_CASE("direct all-gather lists messages by source, destinations starting after the source") {
  // The expansion serves each sender's queue in rank order src+1, src+2, ... (wrapping), so that the first
  // messages of all senders go to different receivers instead of all to rank 0. For p = 3:
  // (0->1, 0->2), (1->2, 1->0), (2->0, 2->1).
  const Schedule s = expand(make(CollectiveKind::all_gather, {5, 6, 7}));
  const std::vector<std::pair<int, int>> expected{{0, 1}, {0, 2}, {1, 2}, {1, 0}, {2, 0}, {2, 1}};
  REQUIRE(s.steps.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(s.steps[i].src == expected[i].first);
    CHECK(s.steps[i].dst == expected[i].second);
  }
}

TEST_CASE("a single rank needs no steps") {
  for (auto kind : {CollectiveKind::broadcast, CollectiveKind::gather, CollectiveKind::all_gather}) {
    INFO("kind " << std::string(shardsim::collective::to_string(kind)));
    const auto spec = make(kind, {64});
    const Schedule s = expand(spec);
    CHECK(s.steps.empty());
    CHECK(s.dep_begin == std::vector<std::uint32_t>{0});  // size steps + 1 = 1
    CHECK(s.deps.empty());
    // The one rank holds the result: 64 bytes, so p * 64 = 1 * 64 for broadcast and all-gather, S = 64 for gather.
    CHECK(payload_delivered(spec) == Bytes{64});
    CHECK(result_bytes(spec) == Bytes{64});
  }
}

TEST_CASE("step counts, traffic and dependencies follow the closed forms for every size and root") {
  for (int p = 1; p <= 6; ++p) {
    // Uneven pieces m_r = 10 (r + 1): S = 10 p (p + 1) / 2.
    std::vector<std::int64_t> pieces;
    for (int r = 0; r < p; ++r) pieces.push_back(10 * (r + 1));
    const std::int64_t sum = 10 * p * (p + 1) / 2;
    for (int root = 0; root < p; ++root) {
      INFO("p = " << p << ", root = " << root);
      const auto m = pieces[static_cast<std::size_t>(root)];

      const Schedule b = expand(make(CollectiveKind::broadcast, pieces, root));
      CHECK(b.steps.size() == static_cast<std::size_t>(p - 1));
      const Traffic tb = traffic(b, p);
      for (int r = 0; r < p; ++r) {
        const auto ur = static_cast<std::size_t>(r);
        CHECK(tb.sent[ur] == (r == root ? (p - 1) * m : 0));
        CHECK(tb.received[ur] == (r == root ? 0 : m));
      }
      check_no_dependencies(b);
      check_no_self_sends(b);
      check_pairs_unique(b);

      const Schedule g = expand(make(CollectiveKind::gather, pieces, root));
      CHECK(g.steps.size() == static_cast<std::size_t>(p - 1));
      const Traffic tg = traffic(g, p);
      for (int r = 0; r < p; ++r) {
        const auto ur = static_cast<std::size_t>(r);
        CHECK(tg.sent[ur] == (r == root ? 0 : pieces[ur]));
        CHECK(tg.received[ur] == (r == root ? sum - m : 0));
      }
      check_no_dependencies(g);
      check_no_self_sends(g);
      check_pairs_unique(g);
    }
    const Schedule a = expand(make(CollectiveKind::all_gather, pieces));
    CHECK(a.steps.size() == static_cast<std::size_t>(p * (p - 1)));
    const Traffic ta = traffic(a, p);
    for (int r = 0; r < p; ++r) {
      const auto ur = static_cast<std::size_t>(r);
      CHECK(ta.sent[ur] == (p - 1) * pieces[ur]);
      CHECK(ta.received[ur] == sum - pieces[ur]);
    }
    check_no_dependencies(a);
    check_no_self_sends(a);
    check_pairs_unique(a);
  }
}

TEST_CASE("payload delivered reproduces the seed notebook's cross-machine figure") {
  // The notebook's first table: d_model 512, d_ff 2048, batch 6, N = 4 machines, fp16 (2 bytes per value).
  //   broadcast of x (6 x 512 = 3072 values) to 4 machines:     4 * 3072      = 12288 values
  //   all-gather of 4 pieces of the activation (6 x 512 each):  4 * 4 * 3072  = 49152 values
  //   gather of 4 pieces of the output (6 x 128 each):          4 * 768       =  3072 values
  //   cross_machine_bandwidth_params = 12288 + 49152 + 3072 = 64512 values = 129024 bytes ('0.129024 mb').
  constexpr std::int64_t fp16 = 2;
  const std::int64_t x = 6 * 512 * fp16;           // 6144 B
  const std::int64_t activation = 6 * 512 * fp16;  // 6144 B per machine: its 512 of the 2048 columns
  const std::int64_t output = 6 * 128 * fp16;      // 1536 B per machine: its 128 of the 512 columns

  const Bytes broadcast = payload_delivered(make(CollectiveKind::broadcast, {x, 0, 0, 0}));
  const Bytes all_gather =
      payload_delivered(make(CollectiveKind::all_gather, {activation, activation, activation, activation}));
  const Bytes gather = payload_delivered(make(CollectiveKind::gather, {output, output, output, output}));

  CHECK(broadcast == Bytes{12'288 * fp16});   // 24576 B
  CHECK(all_gather == Bytes{49'152 * fp16});  // 98304 B
  CHECK(gather == Bytes{3'072 * fp16});       // 6144 B
  CHECK(broadcast + all_gather + gather == Bytes{129'024});  // 64512 values * 2 B
}

TEST_CASE("expand rejects an empty collective and a root out of range") {
  // These come from the planner, not from users: broken invariants, hence InternalError.
  CHECK_THROWS_AS(expand(make(CollectiveKind::all_gather, {})), InternalError);
  CHECK_THROWS_AS(expand(make(CollectiveKind::broadcast, {1, 2, 3, 4}, 4)), InternalError);
  CHECK_THROWS_AS(expand(make(CollectiveKind::gather, {1, 2, 3, 4}, -1)), InternalError);
}

TEST_CASE("collective kinds and algorithms have stable names") {
  CHECK(shardsim::collective::to_string(CollectiveKind::broadcast) == "broadcast");
  CHECK(shardsim::collective::to_string(CollectiveKind::gather) == "gather");
  CHECK(shardsim::collective::to_string(CollectiveKind::all_gather) == "all-gather");
  CHECK(shardsim::collective::to_string(Algorithm::direct) == "direct");
}
