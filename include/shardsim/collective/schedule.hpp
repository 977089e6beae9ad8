#pragma once
// A collective expanded by its algorithm into point-to-point steps with dependencies (collective_spec.hpp says what
// the collective is). The expansion says nothing about time: the network model prices each step, and a step starts
// once its source rank is ready and every step it depends on has been delivered. Ranks are 0..ranks-1; every size
// is in bytes. Payload delivered does not depend on the algorithm (collective_spec.hpp); the traffic does.
//
// Algorithms (K = ceil(log2 p); p' = the largest power of two <= p; G = number of groups). "Chain" is the
// longest chain of steps each depending on the previous one; a rank's own sends are serialized by the network
// model (one message at a time on its CPU), which the chain does not count.
//   direct              every message straight from its source to its destination, no dependencies; sources
//                       in rank order, each serving destinations src+1, src+2, ... (wrapping). All kinds.
//   ring                rank r sends only to r+1 (mod p).
//                         all_gather: p-1 steps per rank; step k forwards the piece of rank r-k. Chain p-1.
//                         reduce_scatter: step k sends block r-k-1 summed over ranks r-k..r. Chain p-1.
//                         all_reduce: reduce_scatter, then an all_gather of the finished blocks. Chain 2(p-1);
//                           each rank sends 2(p-1)/p V.
//                         broadcast / reduce: a pipelined chain root -> root+1 -> ... (reduce: root+1 -> ... ->
//                           root), the message cut into s = max(1, min(p-1, bytes)) segments that follow each
//                           other down the chain. (p-1) s steps, chain p-1.
//                         gather: a chain root+1 -> ... -> root; each rank sends its own piece, then forwards
//                           each piece as it arrives. p(p-1)/2 steps, chain p-1.
//                         all_to_all: shifted pairwise exchange: in round k = 1..p-1 rank r sends its piece to
//                           r+k, after receiving round k-1's piece. Chain p-1.
//   tree                binomial tree rooted at `root` (for all_gather, all_reduce, reduce_scatter too), over
//                       relative ranks v = r - root (mod p): v's children are v + 2^j for 2^j below v's lowest
//                       set bit (all 2^j < p for the root), served largest subtree first.
//                         broadcast: p-1 steps; the root sends K messages (K rounds when a rank sends one
//                           message per round); chain floor(log2 p).  gather, reduce: the same tree upwards, a
//                           rank sending its subtree's pieces (or partial sum) once all its children arrived.
//                         all_gather = gather then broadcast; all_reduce = reduce then broadcast;
//                         reduce_scatter = reduce then a binomial scatter of the blocks. 2(p-1) steps.
//   recursive_doubling  all_gather, all_reduce: in round k = 0..log2 p' - 1 rank v exchanges with v xor 2^k all it
//                       has (all_gather: the pieces of its aligned block of 2^k ranks; all_reduce: the partial sum
//                       of the whole vector over that block). reduce_scatter: recursive halving: in round k rank
//                       v sends to v xor p'/2^(k+1) the half of its current range of blocks it does not keep.
//                       Chain log2 p for p a power of two. Other p: the first 2(p-p') ranks fold in pairwise
//                       (rank 2i sends all it has to 2i+1, which takes part as virtual rank i; rank r >= 2(p-p')
//                       is virtual rank r-(p-p')), the p' virtual ranks run the algorithm, and 2i+1 finally sends
//                       2i its result (all_gather, all_reduce: everything; reduce_scatter: block 2i). Chain
//                       log2 p' + 1, or + 2 when more than half of the virtual ranks are folded pairs; rounds
//                       log2 p' + 2.
//   hierarchical        ranks carry a group id (CollectiveSpec::groups, e.g. their leaf switch). Each group has a
//                       leader: its lowest rank, except that the root leads its own group (broadcast, gather,
//                       reduce). Members send straight to their leader (gather-type: their piece; reductions:
//                       their vector); the leaders then run, in the order of their groups' lowest ranks:
//                         broadcast, gather, reduce: direct between the root and the other leaders;
//                         all_gather: a ring all-gather of the groups' pieces;
//                         all_reduce: a ring all-reduce of V cut into G parts;
//                         reduce_scatter: a ring reduce-scatter where group g's chunk is its members' blocks;
//                       and finally each leader sends straight to each member of its group what it ends with
//                       (broadcast, all_gather, all_reduce: the whole result; reduce_scatter: its block).
//                       Groups of one rank have no member steps.
//
// What a step carries (for tests and traces; the executor ignores it). The data is cut into Schedule::parts
// parts, each a balanced split (part_bytes) of every piece (broadcast, gather, all_gather; more than one part
// only for the ring broadcast's segments) or of the vector V (reductions: p blocks, or the ring reduce's
// segments, or the G chunks of the hierarchical all-reduce); for all_to_all part d means "for receiver d". A
// step names two index sets of the schedule (Schedule::set), `origins` and `parts`, and carries:
//   broadcast, gather, all_gather: part i of rank o's piece, for every o in origins and i in parts;
//   reduce, all_reduce, reduce_scatter: part i of the sum of the vectors of the ranks in origins (the
//     contributors, the same for every part the step carries), for every i in parts;
//   all_to_all: rank o's piece for receiver d, for every o in origins and d in parts.
// A step's bytes are exactly the bytes of what it carries, and every step depends on each earlier step whose
// delivery brought its source something it sends.

#include <cstdint>
#include <span>
#include <vector>

#include "shardsim/collective/collective_spec.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::collective {

// [first, first + count) of ranks or parts.
struct IndexRange {
  std::int32_t first = 0;
  std::int32_t count = 0;
  constexpr bool operator==(const IndexRange&) const = default;
};

struct Step {
  std::int32_t src = 0;
  std::int32_t dst = 0;
  Bytes bytes;
  std::uint32_t origins = 0;  // index sets of the schedule: what the step carries (see above)
  std::uint32_t parts = 0;
};

// The steps and their dependencies in compressed form: the steps step i waits for are
// deps[dep_begin[i] .. dep_begin[i + 1]), all with smaller indices.
struct Schedule {
  std::vector<Step> steps;
  std::vector<std::uint32_t> dep_begin;  // size steps.size() + 1
  std::vector<std::uint32_t> deps;
  // How many parts the data is cut into (see "What a step carries").
  int parts = 1;
  // Index set i is set_ranges[set_begin[i] .. set_begin[i + 1]): sorted, disjoint, non-adjacent ranges.
  std::vector<std::uint32_t> set_begin{0};
  std::vector<IndexRange> set_ranges;

  std::span<const IndexRange> set(std::uint32_t id) const {
    return {set_ranges.data() + set_begin[id], set_ranges.data() + set_begin[id + 1]};
  }
  std::span<const std::uint32_t> deps_of(std::size_t step) const {
    return {deps.data() + dep_begin[step], deps.data() + dep_begin[step + 1]};
  }
};

// Expands `spec` with its algorithm. Throws InternalError for a spec the planner should not have built: no ranks,
// a root out of range, negative sizes, an unsupported (kind, algorithm), reductions whose vectors differ in size,
// or groups that are neither empty nor one per rank.
Schedule expand(const CollectiveSpec& spec);
// The checks expand makes before it expands, for a caller that computes the steps instead (direct_steps.hpp).
void check_expandable(const CollectiveSpec& spec);

// Payload bytes each rank sends / receives over the schedule's steps (size `ranks`).
std::vector<Bytes> bytes_sent(const Schedule& schedule, int ranks);
std::vector<Bytes> bytes_received(const Schedule& schedule, int ranks);

}  // namespace shardsim::collective
