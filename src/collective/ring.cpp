// The ring algorithm (schedule.hpp): rank r sends only to r + 1 (mod p). One function per kind; the round-major
// layouts (all-gather, reduce-scatter, all-reduce, all-to-all) number the step of rank r in round k k * p + r, which
// is how a step names the one it waits for.

#include "builder.hpp"
#include "expansions.hpp"

#include <algorithm>

namespace shardsim::collective::detail {

namespace {

// Segments of a pipelined chain of `hops` hops: one per hop, never an empty one.
int segments(Bytes message, int hops) {
  return static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(hops, message.count)));
}

// Hop h = 0..p-2 sends root+h -> root+h+1; segment j of hop h waits for segment j of hop h-1.
Schedule ring_broadcast(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  const int root = spec.root;
  const int s = segments(spec.pieces[static_cast<std::size_t>(root)], p - 1);
  Builder b(spec, s);
  // (p-1) s steps, (p-2) s dependencies: reserved, so that a 4096-rank broadcast's 16.8 M steps are not copied while
  // their vector doubles.
  b.reserve(static_cast<std::size_t>(p - 1) * static_cast<std::size_t>(s),
            static_cast<std::size_t>(std::max(p - 2, 0)) * static_cast<std::size_t>(s));
  for (int h = 0; h + 1 < p; ++h) {
    for (int j = 0; j < s; ++j) {
      b.add((root + h) % p, (root + h + 1) % p, b.single(root), b.single(j));
      if (h > 0) b.dep(static_cast<StepId>((h - 1) * s + j));
    }
  }
  return b.finish();
}

// Hop h = 1..p-1 sends root+h -> root+h+1 (the last hop ends at the root); segment j of hop h carries the sum over
// ranks root+1..root+h and waits for segment j of hop h-1.
Schedule ring_reduce(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  const int root = spec.root;
  const int s = segments(spec.pieces.front(), p - 1);
  Builder b(spec, s);
  b.reserve(static_cast<std::size_t>(p - 1) * static_cast<std::size_t>(s),
            static_cast<std::size_t>(std::max(p - 2, 0)) * static_cast<std::size_t>(s));
  for (int h = 1; h < p; ++h) {
    const SetId contributors = b.cyclic(root + 1, h, p);
    for (int j = 0; j < s; ++j) {
      b.add((root + h) % p, (root + h + 1) % p, contributors, b.single(j));
      if (h > 1) b.dep(static_cast<StepId>((h - 2) * s + j));
    }
  }
  return b.finish();
}

// Hop h = 1..p-1 (rank root+h): its own piece, then the pieces of root+h-1, ..., root+1 in the order they arrive
// from hop h-1. carrying[j] is the step of the previous hop that carried piece root+j.
Schedule ring_gather(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  const int root = spec.root;
  Builder b(spec, 1);
  // p(p-1)/2 steps; (p-1)(p-2)/2 dependencies (every forwarded piece).
  const auto n = static_cast<std::size_t>(p);
  b.reserve(n * (n - 1) / 2, (n - 1) * (n - 2) / 2);
  StepList carrying(static_cast<std::size_t>(p));
  for (int h = 1; h < p; ++h) {
    const int src = (root + h) % p;
    const int dst = (root + h + 1) % p;
    StepList next(static_cast<std::size_t>(p));
    next[static_cast<std::size_t>(h)] = b.add(src, dst, b.single(src), b.all_parts());
    for (int j = h - 1; j >= 1; --j) {
      next[static_cast<std::size_t>(j)] = b.add(src, dst, b.single((root + j) % p), b.all_parts());
      b.dep(carrying[static_cast<std::size_t>(j)]);
    }
    carrying = std::move(next);
  }
  return b.finish();
}

// Round k = 0..p-2: rank r sends r+1 the piece of rank r-k, received in round k-1 from r-1.
Schedule ring_all_gather(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  const auto up = static_cast<StepId>(p);
  Builder b(spec, 1);
  b.reserve(static_cast<std::size_t>(p) * (p - 1), static_cast<std::size_t>(p) * (p - 1));
  for (int k = 0; k + 1 < p; ++k) {
    for (int r = 0; r < p; ++r) {
      b.add(r, (r + 1) % p, b.single(mod(r - k, p)), b.all_parts());
      if (k > 0) b.dep(static_cast<StepId>(k - 1) * up + static_cast<StepId>(mod(r - 1, p)));
    }
  }
  return b.finish();
}

// Reduce-scatter, round k = 0..p-2: rank r sends r+1 block r-k-1 summed over ranks r-k..r (what it received in
// round k-1 from r-1 plus its own). After round p-2 rank r holds block r complete. All-reduce goes on with an
// all-gather of the complete blocks.
Schedule ring_reduce_scatter(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  const auto up = static_cast<StepId>(p);
  Builder b(spec, p);
  b.reserve(static_cast<std::size_t>(p) * (p - 1) * 2, static_cast<std::size_t>(p) * (p - 1) * 2);
  for (int k = 0; k + 1 < p; ++k) {
    for (int r = 0; r < p; ++r) {
      b.add(r, (r + 1) % p, b.cyclic(r - k, k + 1, p), b.single(mod(r - k - 1, p)));
      if (k > 0) b.dep(static_cast<StepId>(k - 1) * up + static_cast<StepId>(mod(r - 1, p)));
    }
  }
  if (spec.kind == CollectiveKind::all_reduce) {
    // All-gather of the complete blocks, round k = 0..p-2: rank r sends r+1 block r-k.
    const auto base = static_cast<StepId>(p - 1) * up;
    for (int k = 0; k + 1 < p; ++k) {
      for (int r = 0; r < p; ++r) {
        b.add(r, (r + 1) % p, b.all_ranks(), b.single(mod(r - k, p)));
        const auto from = static_cast<StepId>(mod(r - 1, p));
        b.dep(k == 0 ? static_cast<StepId>(p - 2) * up + from : base + static_cast<StepId>(k - 1) * up + from);
      }
    }
  }
  return b.finish();
}

// Round k = 1..p-1: rank r sends its piece for r+k to r+k, once round k-1's piece (from r-k+1) arrived.
Schedule ring_all_to_all(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  const auto up = static_cast<StepId>(p);
  Builder b(spec, p);
  b.reserve(static_cast<std::size_t>(p) * (p - 1), static_cast<std::size_t>(p) * (p - 1));
  for (int k = 1; k < p; ++k) {
    for (int r = 0; r < p; ++r) {
      b.add(r, (r + k) % p, b.single(r), b.single((r + k) % p));
      if (k > 1) b.dep(static_cast<StepId>(k - 2) * up + static_cast<StepId>(mod(r - k + 1, p)));
    }
  }
  return b.finish();
}

}  // namespace

Schedule expand_ring(const CollectiveSpec& spec) {
  switch (spec.kind) {
    case CollectiveKind::broadcast: return ring_broadcast(spec);
    case CollectiveKind::reduce: return ring_reduce(spec);
    case CollectiveKind::gather: return ring_gather(spec);
    case CollectiveKind::all_gather: return ring_all_gather(spec);
    case CollectiveKind::reduce_scatter:
    case CollectiveKind::all_reduce: return ring_reduce_scatter(spec);
    case CollectiveKind::all_to_all: return ring_all_to_all(spec);
  }
  throw InternalError("ring: unknown kind");
}

}  // namespace shardsim::collective::detail
