#pragma once
// What the collective tests share: building a spec, and measuring a schedule by closed-form quantities (bytes
// each rank sends and receives, messages per rank, the longest chain of dependent steps, rounds). Written apart
// from the library on purpose (the balanced split and the kinds' traits again), so that a test never checks the
// library against itself.

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "shardsim/collective/collective.hpp"

namespace collective_test {

using shardsim::Bytes;
using shardsim::collective::Algorithm;
using shardsim::collective::CollectiveKind;
using shardsim::collective::CollectiveSpec;
using shardsim::collective::Schedule;
using shardsim::collective::expand;
using shardsim::collective::supports;

using I64 = std::vector<std::int64_t>;

inline CollectiveSpec make(CollectiveKind kind, Algorithm algorithm, const I64& pieces, int root = 0,
                           std::vector<int> groups = {}) {
  CollectiveSpec spec;
  spec.kind = kind;
  spec.algorithm = algorithm;
  spec.root = root;
  for (std::int64_t b : pieces) spec.pieces.push_back(Bytes{b});
  spec.groups = std::move(groups);
  return spec;
}

inline I64 uniform(int p, std::int64_t bytes) { return I64(static_cast<std::size_t>(p), bytes); }

inline I64 counts(const std::vector<Bytes>& bytes) {
  I64 out;
  for (Bytes b : bytes) out.push_back(b.count);
  return out;
}

inline I64 sent(const Schedule& s, int p) { return counts(shardsim::collective::bytes_sent(s, p)); }
inline I64 received(const Schedule& s, int p) { return counts(shardsim::collective::bytes_received(s, p)); }

// Messages each rank sends.
inline I64 messages_sent(const Schedule& s, int p) {
  I64 out(static_cast<std::size_t>(p), 0);
  for (const auto& step : s.steps) ++out[static_cast<std::size_t>(step.src)];
  return out;
}

// Longest chain of steps, each depending on the previous one (0 without steps).
inline int chain(const Schedule& s) {
  std::vector<int> depth(s.steps.size(), 1);
  int longest = 0;
  for (std::size_t k = 0; k < s.steps.size(); ++k) {
    for (std::uint32_t d : s.deps_of(k)) depth[k] = std::max(depth[k], depth[d] + 1);
    longest = std::max(longest, depth[k]);
  }
  return longest;
}

// Rounds when every step takes one round and a rank sends at most one message per round, each round sending
// the lowest-indexed of its steps whose dependencies were delivered in earlier rounds (the executor's sender CPU
// serializes a rank's messages in the same way).
inline int rounds(const Schedule& s, int p) {
  const std::size_t n = s.steps.size();
  std::vector<int> done(n, 0);  // round in which the step was delivered; 0: not yet
  std::size_t left = n;
  int round = 0;
  while (left > 0) {
    ++round;
    std::vector<bool> busy(static_cast<std::size_t>(p), false);
    std::vector<std::size_t> now;
    for (std::size_t k = 0; k < n; ++k) {
      const auto src = static_cast<std::size_t>(s.steps[k].src);
      if (done[k] != 0 || busy[src]) continue;
      bool ready = true;
      for (std::uint32_t d : s.deps_of(k)) ready = ready && done[d] != 0 && done[d] < round;
      if (!ready) continue;
      busy[src] = true;
      now.push_back(k);
    }
    REQUIRE(!now.empty());  // progress, or the dependencies are cyclic
    for (std::size_t k : now) done[k] = round;
    left -= now.size();
  }
  return round;
}

inline bool is_reduction(CollectiveKind kind) {
  return kind == CollectiveKind::reduce || kind == CollectiveKind::all_reduce ||
         kind == CollectiveKind::reduce_scatter;
}

// The balanced split, written again here: part i of `total` in `n` parts.
inline std::int64_t part(std::int64_t total, int n, int i) { return total / n + (i < total % n ? 1 : 0); }

inline constexpr CollectiveKind all_kinds[] = {CollectiveKind::broadcast,  CollectiveKind::gather,
                                               CollectiveKind::all_gather, CollectiveKind::reduce,
                                               CollectiveKind::all_reduce, CollectiveKind::reduce_scatter,
                                               CollectiveKind::all_to_all};
inline constexpr Algorithm all_algorithms[] = {Algorithm::direct, Algorithm::ring, Algorithm::tree,
                                               Algorithm::recursive_doubling, Algorithm::hierarchical};

}  // namespace collective_test
