#pragma once
// What a collective operation is, as pure data: its kind, the pieces its ranks contribute, its root, the algorithm
// chosen to run it (schedule.hpp expands it into point-to-point steps), and what every rank holds at the end.
// Ranks are 0..ranks-1 (the caller maps them to nodes); every size is in bytes. Reductions only move bytes: adding
// partial sums is not modelled as compute (it is memory-bound and small next to the transfers on the clusters
// shardsim targets).
//
// Payload delivered (design.md §3) is a property of the collective, not of the algorithm: every byte a rank
// holds as the collective's result, its own piece included. It is what the seed notebook calls
// cross_machine_bandwidth.
//
// What the ranks hold (CollectiveSpec::pieces, p = ranks, S = sum of the pieces):
//   broadcast       pieces[root] is the message m; every rank ends with m.                  delivered p m
//   gather          pieces[r] is rank r's piece (sizes may differ); the root ends with all,
//                   concatenated in rank order.                                              delivered S
//   all_gather      as gather, but every rank ends with all pieces.                          delivered p S
//   reduce          every rank contributes a vector of the same size V (pieces[r] = V for
//                   every r; anything else is an InternalError); the root ends with the sum. delivered V
//   all_reduce      as reduce, every rank ends with the sum.                                 delivered p V
//   reduce_scatter  as reduce; rank r ends with block r of the sum, blocks being the
//                   balanced split of V into p parts (part_bytes).                           delivered V
//   all_to_all      pieces[r] is what rank r sends to EACH rank (uniform per sender); every
//                   rank ends with one piece from every rank, itself included, i.e. S.       delivered p S
//
// supports(kind, algorithm) (anything else is rejected by the scenario loader and, as a broken invariant, by
// expand):
//                     direct  ring  tree  recursive_doubling  hierarchical
//   broadcast           x      x     x                             x
//   gather              x      x     x                             x
//   all_gather          x      x     x            x                x
//   reduce              x      x     x                             x
//   all_reduce          x      x     x            x                x
//   reduce_scatter      x      x     x            x                x
//   all_to_all          x      x
// (Recursive doubling for a rooted collective is the binomial tree: use `tree`. All-to-all through a tree or
// leaders would relay every piece several times, which these algorithms are not meant for.)

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "shardsim/util/units.hpp"

namespace shardsim::collective {

enum class CollectiveKind {
  broadcast,       // the root's message ends on every rank
  gather,          // every rank's piece ends on the root, concatenated in rank order
  all_gather,      // every rank's piece ends on every rank
  reduce,          // the sum of every rank's vector ends on the root
  all_reduce,      // the sum ends on every rank
  reduce_scatter,  // block r of the sum ends on rank r
  all_to_all,      // every rank sends one piece to every rank
};

enum class Algorithm {
  direct,              // every message sent straight from its source to its destination, all at once
  ring,                // neighbour to neighbour around the ring of ranks
  tree,                // binomial tree
  recursive_doubling,  // pairwise exchanges at distances 1, 2, 4, ... (reduce-scatter: halving)
  hierarchical,        // through one leader per group
};

// Display names ("all-gather"; algorithms as in algorithm_names()).
std::string_view to_string(CollectiveKind kind);
std::string_view to_string(Algorithm algorithm);

// The names users write (snake_case, as the enumerators), in declaration order: for the scenario loader and its
// "did you mean".
std::span<const std::pair<std::string_view, CollectiveKind>> kind_names();
std::span<const std::pair<std::string_view, Algorithm>> algorithm_names();

// Whether `algorithm` can expand `kind` (the table above).
bool supports(CollectiveKind kind, Algorithm algorithm);

struct CollectiveSpec {
  CollectiveKind kind = CollectiveKind::broadcast;
  Algorithm algorithm = Algorithm::direct;
  // broadcast, gather, reduce; also the tree root of the tree algorithm's all_gather, all_reduce and
  // reduce_scatter. Must be a rank in every case.
  int root = 0;
  // See the table above. The number of ranks is pieces.size().
  std::vector<Bytes> pieces;
  // hierarchical: one group id per rank (any values; equal ids, same group); empty: all ranks in one group.
  // Ignored by the other algorithms.
  std::vector<int> groups{};

  int ranks() const { return static_cast<int>(pieces.size()); }
};

// Part `index` of `total` bytes cut into `parts` balanced parts: the first total % parts parts hold one byte more.
Bytes part_bytes(Bytes total, int parts, int index);

// Bytes every rank holds as the result, own piece included, summed over ranks.
Bytes payload_delivered(const CollectiveSpec& spec);
// Size of the whole result: the message (broadcast), S (gather, all_gather, and all_to_all's per-rank result),
// V (reductions; reduce_scatter spreads it over the ranks).
Bytes result_bytes(const CollectiveSpec& spec);
// Bytes rank `rank` holds as the result: 0 on the non-root ranks of gather and reduce, block `rank` of V for
// reduce_scatter, result_bytes(spec) otherwise. Summed over the ranks: payload_delivered(spec).
Bytes result_bytes(const CollectiveSpec& spec, int rank);

}  // namespace shardsim::collective
