#pragma once
// The `torus` generator: compute nodes on a 2D or 3D grid (`dims = {4, 4}` or `{4, 4, 4}`), each joined
// directly to its two neighbours along every dimension, with wrap-around (a node has 2 NICs per dimension; no
// switches). A dimension of size 2 has one link per pair, not two. Nodes forward each other's traffic at their node
// type's forwarding_latency; shortest paths tie often, and route() spreads flows over them.
//
// Node i sits at (x0, x1[, x2]) with the last coordinate varying fastest: i = x0 * d1 + x1 (2D). Built alone, the
// bisection bandwidth is recorded when the largest dimension d is even: 2 * nodes / d links; unknown otherwise.

#include <string>
#include <vector>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

struct TorusSpec {
  std::vector<int> dims;  // 2 or 3 sizes, each at least 2
  std::string node_prefix = "node";
  hw::NodeSpec node;
  hw::LinkSpec link;
};

// Adds the nodes in index order, then for each node and each dimension in order the link to its +1 neighbour
// (wrapping). Throws ParameterError (key dims).
void add_torus(Topology& topology, const TorusSpec& torus, const SourcePos& where);

}  // namespace shardsim::topo
