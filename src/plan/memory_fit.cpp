#include "shardsim/plan/memory_fit.hpp"

#include <algorithm>

namespace shardsim::plan {

std::vector<double> streamed_weight_fractions(const topo::Topology& topology, const PlannedWorkload& planned) {
  std::vector<double> out(static_cast<std::size_t>(topology.node_count()), 0.0);
  for (std::size_t rank = 0; rank < planned.nodes.size(); ++rank) {
    const plan::NodeId node = planned.nodes[rank];
    const hw::NodeSpec& spec = topology.node(node);
    const RankFootprint& share = planned.footprint[rank];
    if (share.total() <= spec.usable_ram() || !spec.storage_bandwidth || share.weights.count == 0) continue;
    // The weights that stay resident: usable RAM less the activations and KV cache (never negative).
    const std::int64_t resident =
        std::max<std::int64_t>(0, (spec.usable_ram() - share.activations - share.kv_cache).count);
    out[static_cast<std::size_t>(node)] =
        static_cast<double>(share.weights.count - std::min(resident, share.weights.count)) /
        static_cast<double>(share.weights.count);
  }
  return out;
}

}  // namespace shardsim::plan
