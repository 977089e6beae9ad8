#pragma once
// Engine<Payload>: the clock and event loop of a discrete-event simulation. now() is simulated time in integer
// picoseconds; it starts at 0 and only moves forward, to the time of each event as it runs. Events run in (time,
// EventId) order, so events at equal times run in the order they were scheduled. The engine knows nothing of what
// a Payload means: step() and run() hand each one to the caller's handler, which may schedule and cancel events.
// Complexity (see event_queue.hpp): schedule O(1) amortized; cancel O(1) amortized; step O(1) amortized plus about
// log2(delay) bucket moves per event; now, empty, pending, events_processed O(1). No globals: each simulation owns
// its engine.

#include <cstdint>
#include <functional>
#include <limits>
#include <utility>

#include "shardsim/core/event_queue.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::core {

template <class Payload>
class Engine {
 public:
  using Event = typename EventQueue<Payload>::Event;

  Time now() const { return now_; }

  // Schedules `p` at absolute time `t`. t < now() is an InternalError (the past cannot be changed).
  EventId schedule_at(Time t, const Payload& p) {
    require(t >= now_, "Engine::schedule_at: time is before now()");
    return queue_.push(t, p);
  }

  // Schedules `p` at now() + dt. dt < 0, or now() + dt beyond the largest Time, is an InternalError.
  EventId schedule_after(Time dt, const Payload& p) {
    require(dt.ps >= 0, "Engine::schedule_after: negative delay");
    require(dt.ps <= std::numeric_limits<std::int64_t>::max() - now_.ps, "Engine::schedule_after: time overflows");
    return queue_.push(now_ + dt, p);
  }

  // True if the event was pending and is now cancelled; false if it already ran, was cancelled, or is unknown.
  bool cancel(EventId id) { return queue_.cancel(id); }

  bool empty() const { return queue_.empty(); }             // no live (non-cancelled) event pending
  std::size_t pending() const { return queue_.size(); }     // live events pending
  std::uint64_t events_processed() const { return processed_; }  // events handed to a handler so far

  // Pops the earliest live event, advances now() to its time and calls handler(const Payload&). The event counts
  // as processed (and is no longer pending or cancellable) before the handler runs, so an exception from the
  // handler leaves the engine consistent. Returns false when nothing is pending.
  template <class Handler>
  bool step(Handler&& handler) {
    Event e;
    if (!queue_.pop(e)) return false;
    now_ = e.time;
    ++processed_;
    std::invoke(handler, std::as_const(e.payload));
    return true;
  }

  // Runs step() until nothing is pending. Handlers may schedule and cancel events while running.
  template <class Handler>
  void run(Handler&& handler) {
    while (step(handler)) {
    }
  }

 private:
  EventQueue<Payload> queue_;
  Time now_{};
  std::uint64_t processed_ = 0;
};

}  // namespace shardsim::core
