#pragma once
// EventQueue<Payload>: the pending events of a discrete-event simulation, ordered by (time, id). Times are
// shardsim::Time (integer picoseconds, >= 0); an EventId is a sequence number 1, 2, 3, ... in push order, so events
// at equal times come out first in, first out. Payload is a small trivially copyable value, stored inline.
// Assumption (true of any discrete-event simulation): nothing is pushed before the last popped event's time.
// That allows a radix heap, 2.7x and 4.7x faster than a 4-ary heap at 1e5 and 1e6 pending events in the "hold"
// benchmark (bench/event_queue_bench.cpp).
//
// Complexity, n = entries stored (live events plus cancelled ones not yet discarded; n <= 2 * live + 64):
//   push     O(1) amortized    appends (time, id, payload) to one of 64 buckets
//   pop      O(1) amortized, plus at most one move per bucket for each entry: an entry is moved at most
//            bit_width(its time XOR the last popped time at its push) <= 63 times, about log2(delay) times
//   cancel   O(1) amortized    lazy: clears the id's live bit; pop skips the entry, or a purge drops every
//                              cancelled entry in O(n) as soon as they outnumber live ones by more than 64
//   size, empty, contains, stored   O(1)
// Memory: the buckets (which keep their capacity up to 65536 entries each, so up to a few times the peak stored),
// plus a bitmap over the ids
// from the oldest live one to the newest (at most max(4096, 64 * live) bits; live ids older than that window, e.g.
// a far-future timeout, move to a hash set). No globals, no static state.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "shardsim/util/error.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::core {

// The event's sequence number: unique, increasing in push order, starting at 1.
using EventId = std::uint64_t;
// Never the id of an event, so it can stand for "no event" (cancel(no_event) is false).
inline constexpr EventId no_event = 0;

namespace detail {

// The set of live ids: handed out by add() (1, 2, 3, ...), removed at most once by remove(). Because ids are
// dense, a bitmap over the window [64 * base_word_, next_) holds them; the window's front follows the oldest live
// id. When the window would grow beyond max(min_words, live) words, the live ids in its front half move to a
// hash set ("stragglers"), so memory stays O(live) whatever the id span. Every operation is O(1) amortized.
class LiveIds {
 public:
  static constexpr std::size_t min_words = 64;  // the smallest window: 4096 ids, 512 bytes

  LiveIds();

  EventId add() {
    const EventId id = next_;
    const std::uint64_t w = id >> 6;
    if (w - base_word_ >= words_.size()) make_room(w);  // before next_ moves: the window keeps word w
    words_[w & mask_] |= bit(id);
    ++next_;
    ++live_;
    return id;
  }

  // True if `id` was live (it is not any more); false if it was removed before or never added.
  bool remove(EventId id) {
    if (id >= next_) return false;
    const std::uint64_t w = id >> 6;
    if (w < base_word_) return remove_straggler(id);
    std::uint64_t& word = words_[w & mask_];
    if ((word & bit(id)) == 0) return false;
    word &= ~bit(id);
    --live_;
    if (word == 0 && w == base_word_) advance_base();
    return true;
  }

  bool contains(EventId id) const {
    if (id >= next_) return false;
    const std::uint64_t w = id >> 6;
    if (w < base_word_) return stragglers_.count(id) != 0;
    return (words_[w & mask_] & bit(id)) != 0;
  }

  std::size_t size() const { return live_; }
  EventId next_id() const { return next_; }
  // Live ids kept in the hash set rather than the bitmap (for tests and diagnostics).
  std::size_t stragglers() const { return stragglers_.size(); }

 private:
  static std::uint64_t bit(EventId id) { return std::uint64_t{1} << (id & 63); }
  void make_room(std::uint64_t new_word);  // grows the ring or evicts its front half to stragglers_
  void advance_base();                     // skips empty words at the front, never past next_'s word
  bool remove_straggler(EventId id);

  // Ring buffer of bit words; word w (ids 64w .. 64w+63) lives at words_[w & mask_] for base_word_ <= w <=
  // next_ / 64. Slots outside that window are zero. words_.size() is a power of two.
  std::vector<std::uint64_t> words_;
  std::uint64_t mask_ = 0;
  std::uint64_t base_word_ = 0;
  EventId next_ = 1;
  std::size_t live_ = 0;                     // bitmap bits set plus stragglers
  std::unordered_set<EventId> stragglers_;  // live ids below 64 * base_word_
};

}  // namespace detail

template <class Payload>
class EventQueue {
  static_assert(std::is_trivially_copyable_v<Payload>, "EventQueue payloads are small trivially copyable values");

 public:
  struct Event {
    Time time;
    EventId id = no_event;
    Payload payload{};
  };

  // Adds an event at `t`. t must be >= 0 and not before the last popped event's time (unless the queue is empty):
  // otherwise InternalError.
  EventId push(Time t, const Payload& p) {
    const auto key = static_cast<std::uint64_t>(t.ps);
    if (key < last_ || t.ps < 0) [[unlikely]] {
      require(t.ps >= 0 && stored_ == 0, "EventQueue::push: time is before the last popped event");
      last_ = key;
    }
    const EventId id = live_.add();
    put(Event{t, id, p}, key);
    ++stored_;
    return id;
  }

  // True if `id` was pending and is now cancelled; false if it already ran, was cancelled, or never existed.
  bool cancel(EventId id) {
    if (!live_.remove(id)) return false;
    if (stored_ > 2 * live_.size() + purge_slack) purge();
    return true;
  }

  // Moves the earliest live event into `out`. False (and `out` untouched) when no event is pending.
  bool pop(Event& out) {
    for (;;) {
      std::vector<Event>& front = buckets_[0];
      if (head_ == front.size()) {
        release_or_clear(front);
        head_ = 0;
        if (!refill()) return false;
      }
      if (head_ >= compact_after && 2 * head_ >= front.size()) {
        // A long run of same-time events: drop the popped prefix so that bucket 0 does not grow without bound.
        front.erase(front.begin(), front.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
      }
      const Event& e = front[head_++];
      --stored_;
      if (live_.remove(e.id)) {
        out = e;
        if (stored_ > 2 * live_.size() + purge_slack) [[unlikely]] purge();  // live ones went, cancelled stayed
        return true;
      }
    }
  }

  bool contains(EventId id) const { return live_.contains(id); }
  std::size_t size() const { return live_.size(); }  // live events
  bool empty() const { return live_.size() == 0; }
  std::size_t stored() const { return stored_; }  // live plus cancelled entries still stored
  EventId next_id() const { return live_.next_id(); }

 private:
  static constexpr std::size_t purge_slack = 64;
  static constexpr std::size_t compact_after = 4096;
  static constexpr std::size_t release_above = std::size_t{1} << 16;  // entries of capacity a bucket may keep
  static constexpr int bucket_count = 64;  // keys are non-negative int64, so key ^ last_ has at most 63 bits

  void put(const Event& e, std::uint64_t key) {
    const auto b = static_cast<int>(std::bit_width(key ^ last_));
    buckets_[b].push_back(e);
    occupied_ |= std::uint64_t{1} << b;
  }

  // Bucket 0 is exhausted: moves the entries of the first non-empty bucket down, the earliest into bucket 0.
  // They all share last_'s bits above the bucket's, so none goes back into the bucket being emptied.
  bool refill() {
    occupied_ &= ~std::uint64_t{1};
    if (occupied_ == 0) return false;
    const int i = std::countr_zero(occupied_);
    occupied_ &= ~(std::uint64_t{1} << i);
    std::vector<Event>& from = buckets_[i];
    std::uint64_t least = static_cast<std::uint64_t>(from.front().time.ps);
    for (const Event& e : from) {
      const auto key = static_cast<std::uint64_t>(e.time.ps);
      least = key < least ? key : least;
    }
    last_ = least;
    for (const Event& e : from) put(e, static_cast<std::uint64_t>(e.time.ps));
    release_or_clear(from);
    return true;
  }

  // Empties a bucket. One that held a burst (a million flows ending at one instant schedule a million events)
  // gives its storage back rather than keeping it for the rest of the run: bursts pass through several buckets,
  // and each would otherwise hold the burst's size for good.
  static void release_or_clear(std::vector<Event>& bucket) {
    if (bucket.capacity() > release_above) {
      std::vector<Event>().swap(bucket);
    } else {
      bucket.clear();
    }
  }

  // Drops every cancelled entry, O(n).
  void purge() {
    std::vector<Event>& front = buckets_[0];
    front.erase(front.begin(), front.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
    stored_ = 0;
    occupied_ = 0;
    for (int b = 0; b < bucket_count; ++b) {
      std::vector<Event>& bucket = buckets_[b];
      std::size_t kept = 0;
      for (const Event& e : bucket) {
        if (live_.contains(e.id)) bucket[kept++] = e;
      }
      bucket.resize(kept);
      stored_ += kept;
      if (kept != 0) occupied_ |= std::uint64_t{1} << b;
    }
  }

  // A radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990) over time keys, valid because popped times never decrease:
  // bucket b holds the entries whose key differs from last_ first in bit b - 1 (bucket 0: key == last_, popped
  // from head_ on, first in first out). Entries with equal keys always share a bucket and keep their push order.
  std::array<std::vector<Event>, bucket_count> buckets_;
  std::size_t head_ = 0;          // next entry of buckets_[0] to pop
  std::uint64_t occupied_ = 0;    // bit b set if buckets_[b] may be non-empty
  std::uint64_t last_ = 0;        // the key every stored entry is >= to
  std::size_t stored_ = 0;
  detail::LiveIds live_;
};

}  // namespace shardsim::core
