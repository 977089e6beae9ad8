// Tests of core::EventQueue (and its live-id set): order by (time, id), first in first out at equal times, lazy
// cancellation with an exact size(), and a randomized comparison against a std::map reference.

#include "shardsim/core/event_queue.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "shardsim/util/error.hpp"

namespace {

using shardsim::InternalError;
using shardsim::Time;
using shardsim::core::EventId;
using shardsim::core::EventQueue;
using shardsim::core::no_event;
using shardsim::core::detail::LiveIds;

struct Payload {
  std::int32_t a = 0;
  std::int32_t b = 0;
};
using Queue = EventQueue<Payload>;

// Pops everything and returns the payloads' `a` in pop order.
std::vector<std::int32_t> drain(Queue& q) {
  std::vector<std::int32_t> order;
  Queue::Event e;
  while (q.pop(e)) order.push_back(e.payload.a);
  return order;
}

// A fixed-seed splitmix64, so every run of the randomized tests is the same run.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }
};

}  // namespace

TEST_CASE("EventQueue ids are sequence numbers from 1 in push order", "[core][event_queue]") {
  Queue q;
  CHECK(q.next_id() == 1);
  // Pushed out of time order on purpose: ids follow push order, not time order.
  CHECK(q.push(Time{30}, {}) == 1);
  CHECK(q.push(Time{10}, {}) == 2);
  CHECK(q.push(Time{20}, {}) == 3);
  CHECK(q.next_id() == 4);
  Queue::Event e;
  REQUIRE(q.pop(e));
  CHECK(e.id == 2);  // the earliest time, pushed second
  CHECK(q.push(Time{15}, {}) == 4);
}

TEST_CASE("EventQueue pops in time order", "[core][event_queue]") {
  Queue q;
  // Times chosen to differ in high and low bits alike, so entries start in different buckets.
  const std::vector<std::int64_t> times{500, 7, 1'000'000'000'000, 64, 63, 65, 0, 1'000'000, 2, 999'999};
  for (std::size_t i = 0; i < times.size(); ++i) q.push(Time{times[i]}, Payload{static_cast<std::int32_t>(i), 0});
  // Sorted: 0 (#6), 2 (#8), 7 (#1), 63 (#4), 64 (#3), 65 (#5), 500 (#0), 999'999 (#9), 1'000'000 (#7), 1e12 (#2).
  CHECK(drain(q) == std::vector<std::int32_t>{6, 8, 1, 4, 3, 5, 0, 9, 7, 2});
  CHECK(q.empty());
}

TEST_CASE("EventQueue pops equal times first in, first out, also after the clock moved", "[core][event_queue]") {
  Queue q;
  // 3000 events at t = 1000 (a = 0..2999) interleaved with 3000 at t = 1 .. 3000 (a = 10000 + t).
  for (std::int32_t i = 0; i < 3000; ++i) {
    q.push(Time{1000}, Payload{i, 0});
    q.push(Time{i + 1}, Payload{10000 + i + 1, 0});
  }
  // The first 999 pops are the events at t = 1 .. 999, in time order.
  Queue::Event e;
  for (std::int32_t t = 1; t <= 999; ++t) {
    REQUIRE(q.pop(e));
    REQUIRE(e.payload.a == 10000 + t);
  }
  // Three more at t = 1000, pushed after the others at t = 1000: they must come out after those 3000.
  for (std::int32_t i = 3000; i < 3003; ++i) q.push(Time{1000}, Payload{i, 0});
  // Then the 3000 + 3 events at t = 1000 in push order, the event at t = 1000 from the second series (a = 11000)
  // pushed between a = 999 and a = 1000, then t = 1001 .. 3000.
  std::vector<std::int32_t> expected;
  for (std::int32_t i = 0; i < 3003; ++i) {
    expected.push_back(i);
    if (i == 999) expected.push_back(11000);
  }
  for (std::int32_t t = 1001; t <= 3000; ++t) expected.push_back(10000 + t);
  CHECK(drain(q) == expected);
}

TEST_CASE("EventQueue cancel: pending, cancelled, popped and unknown ids", "[core][event_queue]") {
  Queue q;
  const EventId a = q.push(Time{10}, Payload{1, 0});
  const EventId b = q.push(Time{20}, Payload{2, 0});
  const EventId c = q.push(Time{30}, Payload{3, 0});
  CHECK(q.cancel(b));
  CHECK_FALSE(q.cancel(b));  // already cancelled
  CHECK_FALSE(q.contains(b));
  CHECK(q.size() == 2);
  Queue::Event e;
  REQUIRE(q.pop(e));
  CHECK(e.id == a);
  CHECK_FALSE(q.cancel(a));  // already popped
  CHECK_FALSE(q.cancel(no_event));
  CHECK_FALSE(q.cancel(c + 1));  // not pushed yet
  CHECK_FALSE(q.cancel(~EventId{0}));
  CHECK(q.size() == 1);
  REQUIRE(q.pop(e));
  CHECK(e.id == c);  // b was skipped
  CHECK_FALSE(q.pop(e));
  CHECK(e.id == c);  // a failed pop leaves `out` untouched
  CHECK(q.empty());
  CHECK(q.stored() == 0);
}

TEST_CASE("EventQueue size is exact under cancellation and cancelled entries are purged", "[core][event_queue]") {
  Queue q;
  std::vector<EventId> ids;
  for (std::int32_t i = 0; i < 10000; ++i) ids.push_back(q.push(Time{(i * 7919) % 10007}, Payload{i, 0}));
  // Cancel all but every 10th: 9000 cancels, 1000 left.
  std::size_t cancelled = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i % 10 == 0) continue;
    REQUIRE(q.cancel(ids[i]));
    ++cancelled;
    REQUIRE(q.size() == 10000 - cancelled);
  }
  CHECK(q.size() == 1000);
  // Cancelled entries never outnumber live ones by more than the purge slack of 64.
  CHECK(q.stored() <= 2 * 1000 + 64);
  // The survivors are i = 0, 10, 20, ...; their times (i * 7919) % 10007 are distinct because 10007 is prime and
  // i < 10007, so the expected order is the survivors sorted by that time.
  std::map<std::int64_t, std::int32_t> by_time;
  for (std::int32_t i = 0; i < 10000; i += 10) by_time[(i * 7919) % 10007] = i;
  std::vector<std::int32_t> expected;
  for (const auto& [t, i] : by_time) expected.push_back(i);
  CHECK(drain(q) == expected);
}

TEST_CASE("EventQueue rejects pushes before the last popped time", "[core][event_queue]") {
  Queue q;
  CHECK_THROWS_AS(q.push(Time{-1}, {}), InternalError);
  q.push(Time{100}, {});
  q.push(Time{200}, {});
  Queue::Event e;
  REQUIRE(q.pop(e));
  CHECK_THROWS_AS(q.push(Time{99}, {}), InternalError);
  CHECK(q.size() == 1);  // the failed push left nothing behind
  q.push(Time{100}, Payload{7, 0});  // at the last popped time: fine, and before the event at 200
  REQUIRE(q.pop(e));
  CHECK(e.payload.a == 7);
  REQUIRE(q.pop(e));
  CHECK(e.time == Time{200});
  // Once empty, a queue holds no ordering constraint and starts over from any time.
  q.push(Time{5}, Payload{8, 0});
  REQUIRE(q.pop(e));
  CHECK(e.payload.a == 8);
}

TEST_CASE("LiveIds moves a long-lived id out of the bitmap window and still finds it", "[core][event_queue]") {
  LiveIds ids;
  const EventId old = ids.add();
  REQUIRE(old == 1);
  // 100000 short-lived ids, each removed right after it is added: 2 live at most, so the window is held to the
  // minimum of 64 words (4096 ids). Id 1 pins the window's front, so when id 4096 needs word 64, the front half
  // (words 0..32) is evicted and id 1 becomes the one straggler.
  for (int i = 0; i < 100000; ++i) {
    const EventId id = ids.add();
    REQUIRE(ids.remove(id));
    REQUIRE_FALSE(ids.contains(id));
  }
  CHECK(ids.stragglers() == 1);
  CHECK(ids.size() == 1);
  CHECK(ids.contains(old));
  CHECK_FALSE(ids.contains(2));
  CHECK_FALSE(ids.remove(2));
  CHECK(ids.remove(old));
  CHECK_FALSE(ids.remove(old));
  CHECK(ids.stragglers() == 0);
  CHECK(ids.size() == 0);
  CHECK(ids.next_id() == 100002);
}

TEST_CASE("EventQueue matches a std::map reference over 100000 random operations", "[core][event_queue]") {
  // The reference keys events by (time, expected id), where the expected id is the test's own push count, and
  // records each id's time so that cancels can find them. Delays are mostly short with frequent ties (0..20 ps),
  // sometimes long (up to 1e9 ps), and rarely 1e15 ps, so that some ids outlive the live-id bitmap's window.
  Queue q;
  std::map<std::pair<std::int64_t, EventId>, Payload> ref;
  std::map<EventId, std::int64_t> time_of;
  Rng rng{12345};
  EventId pushed = 0;
  std::int64_t now = 0;
  std::size_t pops = 0, cancels_true = 0;
  for (int op = 0; op < 100000; ++op) {
    const std::int64_t r = rng.below(100);
    const std::int64_t push_percent = ref.size() < 300 ? 55 : 35;
    if (op < 300 || r < push_percent) {
      // The first 300 ops push, so that the queue rarely runs dry. The first five pushes (and 0.2% of the others)
      // are 1e15 ps away, so they outlive the bitmap's window.
      const std::int64_t kind = op < 5 ? 0 : rng.below(1000);
      const std::int64_t delay = kind < 2 ? 1'000'000'000'000'000 + rng.below(1000)  // outlives the window
                                 : kind < 100 ? rng.below(1'000'000'000)
                                              : rng.below(21);
      const Payload p{static_cast<std::int32_t>(pushed), static_cast<std::int32_t>(rng.below(1000))};
      const EventId id = q.push(Time{now + delay}, p);
      ++pushed;
      REQUIRE(id == pushed);
      ref.emplace(std::make_pair(now + delay, pushed), p);
      time_of.emplace(pushed, now + delay);
    } else if (r < 90) {
      Queue::Event e;
      const bool got = q.pop(e);
      REQUIRE(got == !ref.empty());
      if (got) {
        const auto it = ref.begin();
        REQUIRE(e.time.ps == it->first.first);
        REQUIRE(e.id == it->first.second);
        REQUIRE(e.payload.a == it->second.a);
        REQUIRE(e.payload.b == it->second.b);
        now = e.time.ps;
        time_of.erase(e.id);
        ref.erase(it);
        ++pops;
      }
    } else {
      // Half the time any id from 0 (never valid) to 5 past the last pushed: mostly popped or cancelled ones,
      // some pending or unknown. Otherwise the first pending id at or after a random recent one, if any.
      auto id = static_cast<EventId>(rng.below(static_cast<std::int64_t>(pushed) + 6));
      if (rng.below(2) == 0) {
        // Among the last 2000 ids only, so that old pending ids (the 1e15 ps ones) mostly stay.
        const EventId recent = pushed > 2000 ? pushed - 2000 : 0;
        const auto at = time_of.lower_bound(recent + static_cast<EventId>(rng.below(2001)));
        if (at != time_of.end()) id = at->first;
      }
      const auto t = time_of.find(id);
      const bool expected = t != time_of.end();
      REQUIRE(q.cancel(id) == expected);
      if (expected) {
        ref.erase(std::make_pair(t->second, id));
        time_of.erase(t);
        ++cancels_true;
      }
    }
    REQUIRE(q.size() == ref.size());
    REQUIRE(q.empty() == ref.empty());
    REQUIRE(q.stored() <= 2 * ref.size() + 64);
  }
  // The run did exercise every path: many pops and successful cancels.
  CHECK(pops > 20000);
  CHECK(cancels_true > 1000);
  Queue::Event e;
  while (!ref.empty()) {
    REQUIRE(q.pop(e));
    REQUIRE(e.id == ref.begin()->first.second);
    ref.erase(ref.begin());
  }
  CHECK_FALSE(q.pop(e));
}
