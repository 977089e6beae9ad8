#include "shardsim/topo/ring.hpp"

#include "grid.hpp"
#include "shardsim/topo/parameter_error.hpp"

namespace shardsim::topo {

void add_ring(Topology& topology, const RingSpec& ring, const SourcePos& where) {
  if (ring.nodes < 2 || ring.nodes > 1'000'000) {
    throw ParameterError(where, "nodes", "must be between 2 and 1000000, got " + std::to_string(ring.nodes));
  }
  const bool whole = topology.vertex_count() == 0;
  detail::add_grid(topology, {ring.nodes}, true, ring.node_prefix, ring.node, ring.link, where);
  // Any split of a cycle into two non-empty parts cuts at least two links, and two arcs cut exactly two.
  if (whole) topology.set_bisection_bandwidth(ByteRate{ring.link.bandwidth.per_second * (ring.nodes > 2 ? 2 : 1)});
}

}  // namespace shardsim::topo
