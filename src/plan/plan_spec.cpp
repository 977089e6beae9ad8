#include "shardsim/plan/plan_spec.hpp"

#include <variant>

namespace shardsim::plan {

std::vector<int> attachment_groups(const topo::Topology& topology, int nodes) {
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
  for (topo::NodeId n = 0; n < nodes; ++n) {
    const topo::VertexId v = topology.node_vertex(n);
    out.push_back(group[static_cast<std::size_t>(v)] >= 0 ? group[static_cast<std::size_t>(v)] : v);
  }
  return out;
}

}  // namespace shardsim::plan
