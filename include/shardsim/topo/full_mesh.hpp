#pragma once
// The `full_mesh` generator: every pair of compute nodes joined by its own direct link (nodes - 1 NICs per node,
// no switches), so every route is one hop. Built alone, the bisection bandwidth is floor(n/2) * ceil(n/2) links.

#include <string>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

struct FullMeshSpec {
  int nodes = 0;  // 2 to 256
  std::string node_prefix = "node";
  hw::NodeSpec node;
  hw::LinkSpec link;
};

// Adds the nodes, then the links in order (0, 1), (0, 2), .., (0, n-1), (1, 2), ... Throws ParameterError (key
// nodes).
void add_full_mesh(Topology& topology, const FullMeshSpec& mesh, const SourcePos& where);

}  // namespace shardsim::topo
