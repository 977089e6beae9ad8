#include "shardsim/topo/mesh.hpp"

#include "grid.hpp"

namespace shardsim::topo {

void add_mesh(Topology& topology, const MeshSpec& mesh, const SourcePos& where) {
  detail::check_dims(mesh.dims, where);
  detail::add_grid(topology, mesh.dims, false, mesh.node_prefix, mesh.node, mesh.link, where);
}

}  // namespace shardsim::topo
