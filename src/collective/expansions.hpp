#pragma once
// The algorithms that expand a collective into steps (schedule.hpp describes each one, its step counts, chains and
// traffic), one file each, all written with Builder (builder.hpp). expand() (schedule.cpp) checks the spec and
// dispatches here; each function may assume a valid spec of a kind its algorithm supports.

#include "shardsim/collective/collective_spec.hpp"
#include "shardsim/collective/schedule.hpp"

namespace shardsim::collective::detail {

// Reductions sum vectors of one size V: reduce, all_reduce, reduce_scatter.
inline bool is_reduction(CollectiveKind kind) {
  return kind == CollectiveKind::reduce || kind == CollectiveKind::all_reduce ||
         kind == CollectiveKind::reduce_scatter;
}
// Rooted kinds have one rank that sends to all (broadcast) or receives from all (gather, reduce).
inline bool is_rooted(CollectiveKind kind) {
  return kind == CollectiveKind::broadcast || kind == CollectiveKind::gather || kind == CollectiveKind::reduce;
}

Schedule expand_direct(const CollectiveSpec& spec);              // direct.cpp
Schedule expand_ring(const CollectiveSpec& spec);                // ring.cpp
Schedule expand_tree(const CollectiveSpec& spec);                // binomial_tree.cpp
Schedule expand_recursive_doubling(const CollectiveSpec& spec);  // recursive_doubling.cpp
Schedule expand_hierarchical(const CollectiveSpec& spec);        // hierarchical.cpp

}  // namespace shardsim::collective::detail
