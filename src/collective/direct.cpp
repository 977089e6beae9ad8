// The direct algorithm (schedule.hpp): every message straight from its source to its destination.

#include "builder.hpp"
#include "expansions.hpp"

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
