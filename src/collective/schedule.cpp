#include "shardsim/collective/schedule.hpp"

#include <string>

#include "expansions.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::collective {

void check_expandable(const CollectiveSpec& spec) {
  const int p = spec.ranks();
  require(p >= 1, "collective with no ranks");
  require(spec.root >= 0 && spec.root < p, "collective root out of range");
  for (Bytes piece : spec.pieces) require(piece.count >= 0, "collective piece of negative size");
  if (!supports(spec.kind, spec.algorithm)) {
    throw InternalError("collective algorithm " + std::string(to_string(spec.algorithm)) + " does not support " +
                        std::string(to_string(spec.kind)));
  }
  if (detail::is_reduction(spec.kind)) {
    for (Bytes piece : spec.pieces) {
      require(piece == spec.pieces.front(), "reduction whose ranks contribute vectors of different sizes");
    }
  }
  require(spec.groups.empty() || static_cast<int>(spec.groups.size()) == p, "collective groups: one per rank");
}

Schedule expand(const CollectiveSpec& spec) {
  check_expandable(spec);
  switch (spec.algorithm) {
    case Algorithm::direct: return detail::expand_direct(spec);
    case Algorithm::ring: return detail::expand_ring(spec);
    case Algorithm::tree: return detail::expand_tree(spec);
    case Algorithm::recursive_doubling: return detail::expand_recursive_doubling(spec);
    case Algorithm::hierarchical: return detail::expand_hierarchical(spec);
  }
  throw InternalError("expand: unknown algorithm");
}

std::vector<Bytes> bytes_sent(const Schedule& schedule, int ranks) {
  std::vector<Bytes> out(static_cast<std::size_t>(ranks));
  for (const Step& step : schedule.steps) out.at(static_cast<std::size_t>(step.src)) += step.bytes;
  return out;
}

std::vector<Bytes> bytes_received(const Schedule& schedule, int ranks) {
  std::vector<Bytes> out(static_cast<std::size_t>(ranks));
  for (const Step& step : schedule.steps) out.at(static_cast<std::size_t>(step.dst)) += step.bytes;
  return out;
}

}  // namespace shardsim::collective
