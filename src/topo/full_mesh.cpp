#include "shardsim/topo/full_mesh.hpp"

#include <vector>

#include "shardsim/topo/parameter_error.hpp"

namespace shardsim::topo {

void add_full_mesh(Topology& topology, const FullMeshSpec& mesh, const SourcePos& where) {
  // Every node needs nodes - 1 NICs, and routing costs a search over nodes^2 / 2 links per node: a few hundred
  // nodes at most.
  if (mesh.nodes < 2 || mesh.nodes > 256) {
    throw ParameterError(where, "nodes", "must be between 2 and 256, got " + std::to_string(mesh.nodes));
  }
  const bool whole = topology.vertex_count() == 0;
  std::vector<std::string> names;
  for (int i = 0; i < mesh.nodes; ++i) {
    names.push_back(mesh.node_prefix + std::to_string(i));
    topology.add_node(names.back(), mesh.node, where);
  }
  for (int i = 0; i < mesh.nodes; ++i) {
    for (int j = i + 1; j < mesh.nodes; ++j) topology.add_link(names[i], names[j], mesh.link, where);
  }
  if (whole) {
    const double cut = static_cast<double>(mesh.nodes / 2) * static_cast<double>(mesh.nodes - mesh.nodes / 2);
    topology.set_bisection_bandwidth(ByteRate{mesh.link.bandwidth.per_second * cut});
  }
}

}  // namespace shardsim::topo
