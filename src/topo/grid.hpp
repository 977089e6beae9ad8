#pragma once
// Shared by the ring, torus and mesh generators (private to src/topo): compute nodes on a grid of `dims`, each
// joined directly to its neighbours along every dimension.

#include <string>
#include <vector>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo::detail {

// Node i has coordinates (x0, x1, ...) with the last varying fastest: i = (x0 * d1 + x1) * d2 + x2. For each node
// in order and each dimension in order, adds the link to its +1 neighbour; with `wrap`, the last joins the first
// again (not for a dimension of 2, whose two nodes are already joined). Records the bisection bandwidth when the
// topology was empty and the largest dimension is even (a cut across it: 2 links per line with wrap-around, 1
// without); unknown otherwise.
// Throws ParameterError (key dims) unless `dims` holds 2 or 3 sizes, each at least 2, a million nodes at most.
void check_dims(const std::vector<int>& dims, const SourcePos& where);

void add_grid(Topology& topology, const std::vector<int>& dims, bool wrap, const std::string& node_prefix,
              const hw::NodeSpec& node, const hw::LinkSpec& link, const SourcePos& where);

}  // namespace shardsim::topo::detail
