// The direct algorithm (schedule.hpp): every message straight from its source to its destination.

#include "builder.hpp"
#include "expansions.hpp"
#include "shardsim/collective/direct_steps.hpp"

namespace shardsim::collective::detail {

// One message per (source, destination) pair that needs data, no dependencies. Messages are listed source-major so
// that each sender's queue is served in rank order (destination src+1, src+2, ... wrapping), which spreads the
// all-gather's first messages over all receivers instead of flooding rank 0.
Schedule expand_direct(const CollectiveSpec& spec) {
  Builder b(spec, default_parts(spec));
  const int p = spec.ranks();
  const int root = spec.root;
  b.reserve(is_rooted(spec.kind) ? static_cast<std::size_t>(p - 1)
                                 : static_cast<std::size_t>(p) * static_cast<std::size_t>(p - 1));
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      for (int k = 1; k < p; ++k) b.add(root, (root + k) % p, b.single(root), b.all_parts());
      break;
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      for (int k = 1; k < p; ++k) {
        const int src = (root + k) % p;
        b.add(src, root, b.single(src), b.all_parts());
      }
      break;
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
      for (int src = 0; src < p; ++src) {
        for (int k = 1; k < p; ++k) b.add(src, (src + k) % p, b.single(src), b.all_parts());
      }
      break;
    case CollectiveKind::reduce_scatter:
    case CollectiveKind::all_to_all:
      for (int src = 0; src < p; ++src) {
        for (int k = 1; k < p; ++k) {
          const int dst = (src + k) % p;
          b.add(src, dst, b.single(src), b.single(dst));
        }
      }
      break;
  }
  return b.finish();
}

}  // namespace shardsim::collective::detail

namespace shardsim::collective {

std::uint32_t direct_step_count(const CollectiveSpec& spec) {
  const auto p = static_cast<std::uint32_t>(spec.ranks());
  if (p == 0) return 0;
  return detail::is_rooted(spec.kind) ? p - 1 : p * (p - 1);
}

// Bytes as Builder::bytes_of computes them for the sets expand_direct gives each step: the root's message
// (broadcast), the source's piece (gather, all-gather), the whole vector V (reduce, all-reduce: every part), block
// dst of V (reduce-scatter), the source's piece for that receiver (all-to-all).
Step direct_step(const CollectiveSpec& spec, std::uint32_t k) {
  const int p = spec.ranks();
  const int root = spec.root;
  auto piece = [&](int r) { return spec.pieces[static_cast<std::size_t>(r)]; };
  Step s;
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      s.src = root;
      s.dst = (root + static_cast<int>(k) + 1) % p;
      s.bytes = piece(root);
      return s;
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      s.src = (root + static_cast<int>(k) + 1) % p;
      s.dst = root;
      s.bytes = spec.kind == CollectiveKind::gather ? piece(s.src) : piece(0);
      return s;
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
    case CollectiveKind::reduce_scatter:
    case CollectiveKind::all_to_all:
      break;
  }
  const auto row = static_cast<std::uint32_t>(p - 1);
  s.src = static_cast<int>(k / row);
  s.dst = (s.src + static_cast<int>(k % row) + 1) % p;
  switch (spec.kind) {
    case CollectiveKind::all_gather:
    case CollectiveKind::all_to_all: s.bytes = piece(s.src); break;
    case CollectiveKind::all_reduce: s.bytes = piece(0); break;
    default: s.bytes = part_bytes(piece(0), p, s.dst); break;  // reduce_scatter
  }
  return s;
}

IndexRange direct_sends(const CollectiveSpec& spec, int rank) {
  const int p = spec.ranks();
  if (detail::is_rooted(spec.kind)) {
    if (spec.kind == CollectiveKind::broadcast) return rank == spec.root ? IndexRange{0, p - 1} : IndexRange{0, 0};
    if (rank == spec.root) return IndexRange{0, 0};
    return IndexRange{((rank - spec.root) % p + p) % p - 1, 1};
  }
  return IndexRange{rank * (p - 1), p - 1};
}

}  // namespace shardsim::collective
