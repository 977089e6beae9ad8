#pragma once
// IdVector<Id, T>: a std::vector of entities indexed by their id, so that a signal's state is found with a
// SignalId and nothing else: `units_[signal]` does not compile. Id is an `enum class` over a signed or unsigned
// integer (the executor's own ids), or a plain integer where the index belongs to another module (a topology
// NodeId, a collective's rank or step). Ids are dense, 0, 1, 2, ... in push order; no bounds check (the executor's
// ids are only ever made by the container that holds their entities).

#include <cstddef>
#include <cstdint>
#include <ranges>
#include <utility>
#include <vector>

namespace shardsim::exec {

template <class Id, class T>
class IdVector {
 public:
  IdVector() = default;
  explicit IdVector(std::size_t n, const T& value = T{}) : items_(n, value) {}

  T& operator[](Id id) { return items_[index(id)]; }
  const T& operator[](Id id) const { return items_[index(id)]; }

  // The id the next push_back gives.
  Id next_id() const { return static_cast<Id>(items_.size()); }
  Id push_back(T item) {
    items_.push_back(std::move(item));
    return static_cast<Id>(items_.size() - 1);
  }
  void reserve(std::size_t n) { items_.reserve(n); }
  void assign(std::size_t n, const T& value) { items_.assign(n, value); }

  // Every id, in order.
  auto ids() const {
    return std::views::iota(std::size_t{0}, items_.size()) |
           std::views::transform([](std::size_t i) { return static_cast<Id>(i); });
  }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  static std::size_t index(Id id) { return static_cast<std::size_t>(id); }

  std::vector<T> items_;
};

// The id `n` places after `id`: a collective's signals and units are consecutive, rank r's at first + r.
template <class Id>
constexpr Id offset(Id id, std::int64_t n) {
  return static_cast<Id>(static_cast<std::int64_t>(id) + n);
}

}  // namespace shardsim::exec
