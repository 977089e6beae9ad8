// Tests of core::Engine: the clock, (time, sequence) order, errors for the past, cancellation, handlers that
// schedule and cancel, and a randomized comparison against a std::map reference.

#include "shardsim/core/engine.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <variant>
#include <vector>

#include "shardsim/util/error.hpp"

namespace {

using shardsim::InternalError;
using shardsim::Time;
using shardsim::core::Engine;
using shardsim::core::EventId;
using shardsim::core::no_event;

struct Payload {
  std::int32_t tag = 0;
  std::int32_t depth = 0;
};

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

TEST_CASE("Engine starts empty at time 0", "[core][engine]") {
  Engine<Payload> engine;
  CHECK(engine.now() == Time{0});
  CHECK(engine.empty());
  CHECK(engine.pending() == 0);
  CHECK(engine.events_processed() == 0);
  int calls = 0;
  CHECK_FALSE(engine.step([&](const Payload&) { ++calls; }));
  engine.run([&](const Payload&) { ++calls; });
  CHECK(calls == 0);
  CHECK(engine.now() == Time{0});
}

TEST_CASE("Engine runs events in time order and now() follows them", "[core][engine]") {
  Engine<Payload> engine;
  engine.schedule_at(Time::from_us(3), Payload{3, 0});
  engine.schedule_at(Time::from_ns(1), Payload{1, 0});
  engine.schedule_after(Time::from_ns(2), Payload{2, 0});  // now() is 0, so at 2 ns
  CHECK(engine.pending() == 3);
  std::vector<std::pair<std::int32_t, std::int64_t>> seen;  // (tag, now in ps)
  auto record = [&](const Payload& p) { seen.emplace_back(p.tag, engine.now().ps); };
  REQUIRE(engine.step(record));
  CHECK(engine.now() == Time{1000});
  CHECK(engine.events_processed() == 1);
  CHECK(engine.pending() == 2);
  engine.run(record);
  CHECK(seen == std::vector<std::pair<std::int32_t, std::int64_t>>{{1, 1000}, {2, 2000}, {3, 3'000'000}});
  CHECK(engine.now() == Time{3'000'000});  // the clock stays at the last event
  CHECK(engine.events_processed() == 3);
  CHECK(engine.empty());
}

TEST_CASE("Engine runs equal-time events in scheduling order", "[core][engine]") {
  Engine<Payload> engine;
  // 20000 events at 5 ps (tags 0, 2, 4, ...) interleaved with 20000 at 3 ps (tags 1, 3, 5, ...).
  for (std::int32_t i = 0; i < 20000; ++i) {
    engine.schedule_at(Time{5}, Payload{2 * i, 0});
    engine.schedule_at(Time{3}, Payload{2 * i + 1, 0});
  }
  // While running, each event at 3 ps with tag < 200 also schedules one at now + 2 = 5 ps (tag 100000 + tag); those
  // come after all 20000 already at 5 ps, in the order they were scheduled.
  std::vector<std::int32_t> order;
  engine.run([&](const Payload& p) {
    order.push_back(p.tag);
    if (engine.now() == Time{3} && p.tag < 200) engine.schedule_after(Time{2}, Payload{100000 + p.tag, 0});
  });
  std::vector<std::int32_t> expected;
  for (std::int32_t i = 0; i < 20000; ++i) expected.push_back(2 * i + 1);
  for (std::int32_t i = 0; i < 20000; ++i) expected.push_back(2 * i);
  for (std::int32_t t = 1; t < 200; t += 2) expected.push_back(100000 + t);
  CHECK(order == expected);
  CHECK(engine.events_processed() == 40100);
}

TEST_CASE("Engine keeps scheduling order through a long chain of zero-delay events", "[core][engine]") {
  Engine<Payload> engine;
  // 5000 events at time 7; event k schedules event k + 5000 at now + 0 until k + 5000 reaches 100000. When k
  // runs, k + 1 .. k + 4999 are pending and were all scheduled earlier, so the order must be 0, 1, ..., 99999.
  for (std::int32_t k = 0; k < 5000; ++k) engine.schedule_at(Time{7}, Payload{k, 0});
  std::int32_t expected_tag = 0;
  bool in_order = true;
  engine.run([&](const Payload& p) {
    in_order = in_order && p.tag == expected_tag;
    ++expected_tag;
    if (p.tag + 5000 < 100000) engine.schedule_after(Time{0}, Payload{p.tag + 5000, 0});
  });
  CHECK(in_order);
  CHECK(expected_tag == 100000);
  CHECK(engine.now() == Time{7});
}

TEST_CASE("Engine refuses to schedule in the past", "[core][engine]") {
  Engine<Payload> engine;
  engine.schedule_at(Time{100}, {});
  engine.schedule_at(Time{500}, {});
  REQUIRE(engine.step([](const Payload&) {}));
  REQUIRE(engine.now() == Time{100});
  CHECK_THROWS_AS(engine.schedule_at(Time{99}, {}), InternalError);
  CHECK_THROWS_AS(engine.schedule_after(Time{-1}, {}), InternalError);
  // now() + dt past the largest Time would wrap around into the past.
  CHECK_THROWS_AS(engine.schedule_after(Time{std::numeric_limits<std::int64_t>::max()}, {}), InternalError);
  CHECK(engine.pending() == 1);  // failed calls schedule nothing
  // The present is allowed, and the largest representable time too.
  CHECK_NOTHROW(engine.schedule_at(Time{100}, {}));
  CHECK_NOTHROW(engine.schedule_after(Time{0}, {}));
  CHECK_NOTHROW(engine.schedule_after(Time{std::numeric_limits<std::int64_t>::max() - 100}, {}));
  CHECK(engine.pending() == 4);
}

TEST_CASE("Engine cancel of pending, cancelled, run and unknown events", "[core][engine]") {
  Engine<Payload> engine;
  const EventId first = engine.schedule_at(Time{10}, Payload{1, 0});
  const EventId second = engine.schedule_at(Time{20}, Payload{2, 0});
  const EventId third = engine.schedule_at(Time{30}, Payload{3, 0});
  CHECK(first < second);
  CHECK(second < third);  // ids increase in scheduling order
  CHECK(engine.cancel(second));
  CHECK_FALSE(engine.cancel(second));
  CHECK(engine.pending() == 2);
  std::vector<std::int32_t> ran;
  auto record = [&](const Payload& p) { ran.push_back(p.tag); };
  REQUIRE(engine.step(record));
  CHECK_FALSE(engine.cancel(first));  // already run
  CHECK_FALSE(engine.cancel(no_event));
  CHECK_FALSE(engine.cancel(third + 1000));  // never scheduled
  engine.run(record);
  CHECK(ran == std::vector<std::int32_t>{1, 3});
  CHECK(engine.now() == Time{30});
  CHECK(engine.events_processed() == 2);  // the cancelled event is not counted
}

TEST_CASE("Engine pending() is exact when handlers cancel", "[core][engine]") {
  Engine<Payload> engine;
  // Events at 1..1000 ps with tag = time. Each even event cancels the odd event 501 ps after it (if still there),
  // and an event cancels itself (already processed, so false). Events 2..498 cancel 503..999; the odd events 1..501
  // run and so do all even ones: 500 even + 251 odd (1, 3, ..., 501) = 751 events.
  std::map<std::int32_t, EventId> id_of;
  for (std::int32_t t = 1; t <= 1000; ++t) id_of[t] = engine.schedule_at(Time{t}, Payload{t, 0});
  std::size_t expected_pending = 1000;
  std::size_t ran = 0;
  bool exact = true;
  engine.run([&](const Payload& p) {
    ++ran;
    --expected_pending;  // this event is no longer pending
    exact = exact && engine.pending() == expected_pending;
    const bool self = engine.cancel(id_of[p.tag]);  // itself: already processed, so false
    exact = exact && !self;
    if (p.tag % 2 == 0 && p.tag + 501 <= 1000) {
      const bool other = engine.cancel(id_of[p.tag + 501]);
      exact = exact && other;
      --expected_pending;
      exact = exact && engine.pending() == expected_pending;
    }
  });
  CHECK(exact);
  CHECK(ran == 751);
  CHECK(engine.events_processed() == 751);
  CHECK(engine.pending() == 0);
}

TEST_CASE("Engine handlers can schedule more events while running", "[core][engine]") {
  Engine<Payload> engine;
  // A binary tree: each event at depth d < 10 schedules two children at now + 1 ns. Depths 0..10 hold
  // 1 + 2 + ... + 1024 = 2047 events, and the last ones run at 10 ns.
  engine.schedule_at(Time{0}, Payload{0, 0});
  std::vector<std::int64_t> per_depth(11, 0);
  engine.run([&](const Payload& p) {
    ++per_depth[static_cast<std::size_t>(p.depth)];
    CHECK(engine.now() == Time::from_ns(p.depth));
    if (p.depth < 10) {
      engine.schedule_after(Time::from_ns(1), Payload{0, p.depth + 1});
      engine.schedule_after(Time::from_ns(1), Payload{0, p.depth + 1});
    }
  });
  for (std::size_t d = 0; d <= 10; ++d) CHECK(per_depth[d] == (std::int64_t{1} << d));
  CHECK(engine.events_processed() == 2047);
  CHECK(engine.now() == Time::from_ns(10));
}

TEST_CASE("Engine leaves a consistent state when a handler throws", "[core][engine]") {
  Engine<Payload> engine;
  const EventId id = engine.schedule_at(Time{5}, Payload{1, 0});
  engine.schedule_at(Time{6}, Payload{2, 0});
  CHECK_THROWS_AS(engine.step([](const Payload&) { throw InternalError("from the handler"); }), InternalError);
  // The event counts as run: the clock moved to it, and it cannot be cancelled or run again.
  CHECK(engine.now() == Time{5});
  CHECK(engine.events_processed() == 1);
  CHECK_FALSE(engine.cancel(id));
  CHECK(engine.pending() == 1);
  std::int32_t tag = 0;
  REQUIRE(engine.step([&](const Payload& p) { tag = p.tag; }));
  CHECK(tag == 2);
}

TEST_CASE("Engine carries a std::variant payload", "[core][engine]") {
  struct Compute {
    std::int32_t op;
  };
  struct Transfer {
    std::int32_t from;
    std::int32_t to;
  };
  using Kind = std::variant<Compute, Transfer>;
  Engine<Kind> engine;
  engine.schedule_at(Time{20}, Kind{Transfer{1, 2}});
  engine.schedule_at(Time{10}, Kind{Compute{7}});
  std::vector<std::int32_t> seen;
  engine.run([&](const Kind& k) {
    if (const auto* c = std::get_if<Compute>(&k)) seen.push_back(c->op);
    if (const auto* t = std::get_if<Transfer>(&k)) seen.push_back(100 * t->from + t->to);
  });
  CHECK(seen == std::vector<std::int32_t>{7, 102});
}

TEST_CASE("Engine matches a std::map reference over 100000 random operations", "[core][engine]") {
  // Operations from outside (schedule, cancel, step) and from inside handlers (each handler may schedule and
  // cancel). The reference keys events by (time, expected id): the expected id of the n-th scheduled event is n,
  // counted by the test itself. Delays are mostly 0..20 ps (many ties), sometimes up to 1e9 ps, rarely 1e15 ps.
  Engine<Payload> engine;
  std::map<std::pair<std::int64_t, EventId>, std::int32_t> ref;  // -> tag
  std::map<EventId, std::int64_t> time_of;
  Rng rng{2024};
  EventId scheduled = 0;
  std::int64_t ref_now = 0;
  std::uint64_t ref_processed = 0;
  std::size_t cancels_true = 0;
  bool handler_ok = true;

  auto delay = [&]() -> std::int64_t {
    const std::int64_t kind = rng.below(1000);
    if (kind < 2) return 1'000'000'000'000'000 + rng.below(1000);  // outlives the live-id bitmap's window
    return kind < 100 ? rng.below(1'000'000'000) : rng.below(21);
  };
  auto schedule = [&] {
    const std::int64_t d = delay();
    const auto tag = static_cast<std::int32_t>(scheduled);
    const EventId id = engine.schedule_after(Time{d}, Payload{tag, 0});
    ++scheduled;
    ref.emplace(std::make_pair(ref_now + d, scheduled), tag);
    time_of.emplace(scheduled, ref_now + d);
    return id == scheduled;
  };
  auto cancel = [&] {
    // Half the time any id up to 5 past the last scheduled (mostly run or cancelled ones), otherwise the first
    // pending id at or after a random recent one, if any.
    auto id = static_cast<EventId>(rng.below(static_cast<std::int64_t>(scheduled) + 6));
    if (rng.below(2) == 0) {
      // Among the last 2000 ids only, so that old pending ids (the 1e15 ps ones) mostly stay.
      const EventId recent = scheduled > 2000 ? scheduled - 2000 : 0;
      const auto at = time_of.lower_bound(recent + static_cast<EventId>(rng.below(2001)));
      if (at != time_of.end()) id = at->first;
    }
    const auto t = time_of.find(id);
    const bool expected = t != time_of.end();
    if (expected) {
      ref.erase(std::make_pair(t->second, id));
      time_of.erase(t);
      ++cancels_true;
    }
    return engine.cancel(id) == expected;
  };
  auto handler = [&](const Payload& p) {
    // The reference's front was removed by the caller before step(); check that this is that event.
    handler_ok = handler_ok && engine.now().ps == ref_now && p.tag >= 0;
    if (rng.below(4) == 0) {
      const bool ok = schedule();
      handler_ok = handler_ok && ok;
    }
    if (rng.below(8) == 0) {
      const bool ok = cancel();
      handler_ok = handler_ok && ok;
    }
  };

  // Five events 1e15 ps away (like 0.2% of the others), so that they outlive the live-id bitmap's window, then
  // 300 ordinary ones so that the queue rarely runs dry.
  for (int i = 0; i < 5; ++i) {
    engine.schedule_at(Time{1'000'000'000'000'000 + i}, Payload{static_cast<std::int32_t>(scheduled), 0});
    ++scheduled;
    ref.emplace(std::make_pair(1'000'000'000'000'000 + i, scheduled), static_cast<std::int32_t>(scheduled - 1));
    time_of.emplace(scheduled, 1'000'000'000'000'000 + i);
  }
  for (int i = 0; i < 300; ++i) REQUIRE(schedule());
  for (int op = 0; op < 100000; ++op) {
    const std::int64_t r = rng.below(100);
    const std::int64_t schedule_percent = ref.size() < 300 ? 50 : 30;
    if (r < schedule_percent) {
      REQUIRE(schedule());
    } else if (r < 92) {
      if (ref.empty()) {
        REQUIRE_FALSE(engine.step(handler));
      } else {
        const auto front = ref.begin();
        const std::int32_t expected_tag = front->second;
        ref_now = front->first.first;
        time_of.erase(front->first.second);
        ref.erase(front);
        ++ref_processed;
        std::int32_t got_tag = -1;
        REQUIRE(engine.step([&](const Payload& p) {
          got_tag = p.tag;
          handler(p);
        }));
        REQUIRE(got_tag == expected_tag);
      }
    } else {
      REQUIRE(cancel());
    }
    REQUIRE(handler_ok);
    REQUIRE(engine.now().ps == ref_now);
    REQUIRE(engine.pending() == ref.size());
    REQUIRE(engine.empty() == ref.empty());
    REQUIRE(engine.events_processed() == ref_processed);
  }
  CHECK(ref_processed > 20000);
  CHECK(cancels_true > 1000);
  // Drain what is left (the 1e15 ps events last) in the reference's order.
  while (!ref.empty()) {
    std::int32_t got_tag = -1;
    REQUIRE(engine.step([&](const Payload& p) { got_tag = p.tag; }));
    REQUIRE(got_tag == ref.begin()->second);
    REQUIRE(engine.now().ps == ref.begin()->first.first);
    ref.erase(ref.begin());
  }
  CHECK(engine.empty());
  CHECK_FALSE(engine.step([](const Payload&) {}));
}
