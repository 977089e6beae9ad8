#pragma once
// Slots reused after their item is done, so that a long simulation allocates only up to its peak number of live
// items (transfers, flows, rate classes). A slot handed out again keeps its old contents: callers reset the fields.

#include <vector>

namespace shardsim {

// A free slot of `slots`: the last one released into `free`, or a new one at the end.
template <class Id, class T>
Id acquire_slot(std::vector<T>& slots, std::vector<Id>& free) {
  if (free.empty()) {
    slots.emplace_back();
    return static_cast<Id>(slots.size() - 1);
  }
  const Id id = free.back();
  free.pop_back();
  return id;
}

}  // namespace shardsim
