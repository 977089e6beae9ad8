#pragma once
// The `mesh` generator: compute nodes on a 2D or 3D grid (`dims = {4, 4}` or `{4, 4, 4}`), each joined directly
// to its neighbours along every dimension, without wrap-around (no switches). Nodes forward each other's traffic at
// their node type's forwarding_latency.
//
// Node i sits at (x0, x1[, x2]) with the last coordinate varying fastest, as in the torus. Built alone, the
// bisection bandwidth is recorded when the largest dimension d is even: nodes / d links; unknown otherwise.

#include <string>
#include <vector>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

struct MeshSpec {
  std::vector<int> dims;  // 2 or 3 sizes, each at least 2
  std::string node_prefix = "node";
  hw::NodeSpec node;
  hw::LinkSpec link;
};

// Adds the nodes in index order, then for each node and each dimension in order the link to its +1 neighbour, if
// any. Throws ParameterError (key dims).
void add_mesh(Topology& topology, const MeshSpec& mesh, const SourcePos& where);

}  // namespace shardsim::topo
