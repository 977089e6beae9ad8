#include "shardsim/plan/plan_spec.hpp"

#include <variant>

namespace shardsim::plan {

int read_nodes(KeyReader& keys, std::int64_t fallback, std::int64_t most, std::int64_t available,
               const std::string& why) {
  const std::int64_t nodes = keys.integer("nodes").value_or(fallback);
  if (nodes < 1 || nodes > most) {
    if (why.empty()) {
      keys.fail("nodes", "must be between 1 and " + std::to_string(most) + " (the topology's compute nodes)");
    }
    keys.fail("nodes", "must be between 1 and " + std::to_string(most) + " (the topology has " +
                           std::to_string(available) + " compute nodes and " + why + "), got " +
                           std::to_string(nodes));
  }
  return static_cast<int>(nodes);
}

std::vector<int> attachment_groups(const topo::Topology& topology, int nodes) {
  std::vector<topo::NodeId> members;
  for (topo::NodeId n = 0; n < nodes; ++n) members.push_back(n);
  return attachment_groups(topology, members);
}

std::vector<int> attachment_groups(const topo::Topology& topology, const std::vector<topo::NodeId>& members) {
  // The first link declared at each node decides; nodes with no switch neighbour form groups of their own.
  std::vector<int> group(static_cast<std::size_t>(topology.vertex_count()), -1);
  for (topo::LinkId l = 0; l < topology.link_count(); ++l) {
    const topo::Link& link = topology.link(l);
    for (auto [end, other] : {std::pair{link.a, link.b}, std::pair{link.b, link.a}}) {
      const bool is_switch = std::holds_alternative<hw::SwitchSpec>(topology.vertex(other).spec);
      if (group[static_cast<std::size_t>(end)] < 0 && is_switch) group[static_cast<std::size_t>(end)] = other;
    }
  }
  std::vector<int> out;
  for (const topo::NodeId n : members) {
    const topo::VertexId v = topology.node_vertex(n);
    out.push_back(group[static_cast<std::size_t>(v)] >= 0 ? group[static_cast<std::size_t>(v)] : v);
  }
  return out;
}

}  // namespace shardsim::plan
