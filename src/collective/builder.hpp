#pragma once
// Builder: what every algorithm (expansions.hpp) writes its Schedule with. It appends steps with their content,
// two index sets (origins and parts, schedule.hpp's "What a step carries"; the common ones made once and shared),
// and their dependencies, and computes each step's bytes from what it carries, so that no algorithm states a size
// by hand: what a step carries and what it costs cannot disagree. The symbolic executor of
// tests/collective/algorithms_test.cpp checks the content; the bytes follow from it.
//
// Costs: dep, single, all_ranks, all_parts O(1) amortized; add the same plus sizing the step, O(ranges of its
// sets) (gather-type kinds cut in several parts: O(origins x ranges of its parts)); set O(r log r) for r ranges.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "shardsim/collective/collective_spec.hpp"
#include "shardsim/collective/schedule.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::collective::detail {

using SetId = std::uint32_t;
using StepId = std::uint32_t;
using StepList = std::vector<StepId>;

// a mod n in [0, n), for any sign of a.
inline int mod(int a, int n) { return ((a % n) + n) % n; }

// Gather-type kinds cut nothing (one part); reductions cut V into one block per rank; all-to-all has one part per
// receiver. Algorithms that need another cut say so.
int default_parts(const CollectiveSpec& spec);

class Builder {
 public:
  // `parts`: how many parts the data is cut into (Schedule::parts).
  Builder(const CollectiveSpec& spec, int parts);

  int ranks() const { return p_; }
  int parts() const { return schedule_.parts; }
  void reserve(std::size_t steps, std::size_t deps = 0) {
    schedule_.steps.reserve(steps);
    schedule_.dep_begin.reserve(steps + 1);
    schedule_.deps.reserve(deps);
  }
  Bytes piece(int r) const { return spec_.pieces[static_cast<std::size_t>(r)]; }

  // A set from any ranges (sorted and merged here).
  SetId set(std::vector<IndexRange> ranges);
  // A set from single indices, in any order.
  SetId set_of(const std::vector<int>& indices);
  // [first, first + count) modulo n.
  SetId cyclic(int first, int count, int n);
  SetId single(int i) {
    SetId& id = single_[static_cast<std::size_t>(i)];
    if (id == none) id = set({IndexRange{i, 1}});
    return id;
  }
  SetId all_ranks() {
    if (all_ranks_ == none) all_ranks_ = set({IndexRange{0, p_}});
    return all_ranks_;
  }
  SetId all_parts() {
    if (all_parts_ == none) all_parts_ = parts() == p_ ? all_ranks() : set({IndexRange{0, parts()}});
    return all_parts_;
  }

  // Adds a step; its dependencies follow with dep()/deps().
  StepId add(int src, int dst, SetId origins, SetId part_set) {
    require(src != dst, "collective: a step to its own source");
    schedule_.dep_begin.push_back(static_cast<std::uint32_t>(schedule_.deps.size()));
    schedule_.steps.push_back(Step{src, dst, bytes_of(origins, part_set), origins, part_set});
    return static_cast<StepId>(schedule_.steps.size() - 1);
  }
  void dep(StepId k) {
    require(!schedule_.steps.empty() && k + 1 < schedule_.steps.size(),
            "collective: a dependency must name an earlier step");
    schedule_.deps.push_back(k);
  }
  void deps(const StepList& ks) {
    for (StepId k : ks) dep(k);
  }

  Schedule finish() {
    schedule_.dep_begin.push_back(static_cast<std::uint32_t>(schedule_.deps.size()));
    return std::move(schedule_);
  }

 private:
  static constexpr SetId none = ~SetId{0};

  // Sum of parts of `total` over `set`, with the balanced split of part_bytes.
  Bytes parts_of(Bytes total, std::span<const IndexRange> set) const;
  Bytes bytes_of(SetId origins, SetId part_set) const;

  const CollectiveSpec& spec_;
  int p_;
  Schedule schedule_;
  std::vector<std::int64_t> prefix_;  // prefix sums of the pieces
  std::vector<SetId> single_;
  SetId all_ranks_ = none;
  SetId all_parts_ = none;
};

}  // namespace shardsim::collective::detail
