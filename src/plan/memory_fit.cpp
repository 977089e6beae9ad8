#include "shardsim/plan/memory_fit.hpp"

#include <algorithm>

namespace shardsim::plan {
namespace {

// The part of `size` that does not fit in `room` bytes, as a fraction of it (0 for nothing to hold).
double beyond(std::int64_t size, std::int64_t room) {
  if (size <= 0) return 0.0;
  return static_cast<double>(size - std::clamp<std::int64_t>(room, 0, size)) / static_cast<double>(size);
}

}  // namespace

std::vector<hw::Streamed> streamed_fractions(const topo::Topology& topology, const PlannedWorkload& planned) {
  std::vector<hw::Streamed> out(static_cast<std::size_t>(topology.node_count()));
  for (std::size_t rank = 0; rank < planned.nodes.size(); ++rank) {
    const plan::NodeId node = planned.nodes[rank];
    const hw::NodeSpec& spec = topology.node(node);
    const RankFootprint& share = planned.footprint[rank];
    if (share.total() <= spec.usable_ram() || !spec.storage_bandwidth) continue;
    // The room left once the activations are resident (never negative): the KV cache takes it first, the
    // weights what the cache leaves.
    const std::int64_t room = std::max<std::int64_t>(0, (spec.usable_ram() - share.activations).count);
    const std::int64_t cache_resident = std::min(room, share.kv_cache.count);
    out[static_cast<std::size_t>(node)] = hw::Streamed{beyond(share.weights.count, room - cache_resident),
                                                       beyond(share.kv_cache.count, room)};
  }
  return out;
}

}  // namespace shardsim::plan
