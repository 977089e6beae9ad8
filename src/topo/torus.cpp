#include "shardsim/topo/torus.hpp"

#include "grid.hpp"

namespace shardsim::topo {

void add_torus(Topology& topology, const TorusSpec& torus, const SourcePos& where) {
  detail::check_dims(torus.dims, where);
  detail::add_grid(topology, torus.dims, true, torus.node_prefix, torus.node, torus.link, where);
}

}  // namespace shardsim::topo
