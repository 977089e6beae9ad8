#pragma once
// Storage indexed by the executor's typed ids, so that a signal's state is found with a SignalId and nothing else:
// `units_[signal]` does not compile. An id is an `enum class` over an integer (the executor's own ids), or a plain
// integer where the index belongs to another module (a topology NodeId, a collective's rank or step). Ids are
// dense, 0, 1, 2, ... in push order; there is no bounds check (the executor's ids are only ever made by the
// container that holds their entities).
//   IdVector<Id, T>       one entity per id, in a std::vector.
//   Grouped<Key, Value>   values grouped by key, all in one vector (compressed rows): the values of a key are one
//                         span, in the order they were given. "Who waits for this signal", "what this rank sends",
//                         "which steps wait for this step": one allocation for all keys instead of one per key, and
//                         each group's values together in memory. Built in O(keys + values) by two passes over the
//                         same (key, value) sequence: the caller's for_each(emit) calls emit(key, value) for each
//                         pair, the same pairs in the same order both times.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace shardsim::exec {

template <class Id>
constexpr std::size_t to_index(Id id) {
  return static_cast<std::size_t>(id);
}

// The id `n` places after `id`: a collective's signals and units are consecutive, rank r's at first + r.
template <class Id>
constexpr Id offset(Id id, std::int64_t n) {
  return static_cast<Id>(static_cast<std::int64_t>(id) + n);
}

// The ids first, first + 1, ..., last - 1, for a range-for. Written out rather than std::views::iota | transform:
// clang 14 cannot instantiate libstdc++ 12's iota_view (its constraints use a C++20 feature clang 14 lacks).
template <class Id>
class IdRange {
 public:
  class iterator {
   public:
    explicit iterator(std::size_t i) : i_(i) {}
    Id operator*() const { return static_cast<Id>(i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator&) const = default;

   private:
    std::size_t i_;
  };
  IdRange(std::size_t first, std::size_t last) : first_(first), last_(last) {}
  iterator begin() const { return iterator(first_); }
  iterator end() const { return iterator(last_); }

 private:
  std::size_t first_;
  std::size_t last_;
};

template <class Id, class T>
class IdVector {
 public:
  IdVector() = default;
  explicit IdVector(std::size_t n, const T& value = T{}) : items_(n, value) {}

  T& operator[](Id id) { return items_[to_index(id)]; }
  const T& operator[](Id id) const { return items_[to_index(id)]; }

  // The id the next push_back gives.
  Id next_id() const { return static_cast<Id>(items_.size()); }
  Id push_back(T item) {
    items_.push_back(std::move(item));
    return static_cast<Id>(items_.size() - 1);
  }
  void reserve(std::size_t n) { items_.reserve(n); }
  void assign(std::size_t n, const T& value) { items_.assign(n, value); }

  // Every id, in order.
  IdRange<Id> ids() const { return IdRange<Id>(0, items_.size()); }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<T> items_;
};

template <class Key, class Value>
class Grouped {
 public:
  Grouped() = default;

  template <class ForEach>
  Grouped(std::size_t keys, ForEach&& for_each) : begin_(keys + 1, 0) {
    for_each([&](Key key, const Value&) { ++begin_[to_index(key) + 1]; });
    for (std::size_t k = 0; k < keys; ++k) begin_[k + 1] += begin_[k];
    values_.resize(begin_.back());
    std::vector<std::uint32_t> next(begin_.begin(), begin_.end() - 1);
    for_each([&](Key key, const Value& value) { values_[next[to_index(key)]++] = value; });
  }

  std::span<const Value> operator[](Key key) const {
    return {values_.data() + begin_[to_index(key)], values_.data() + begin_[to_index(key) + 1]};
  }

 private:
  std::vector<std::uint32_t> begin_;  // per key, where its values begin; one more at the end
  std::vector<Value> values_;
};

}  // namespace shardsim::exec
