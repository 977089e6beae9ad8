#pragma once
// The `ring` generator: `nodes` compute nodes joined in a cycle by direct links (two NICs per node, no switches):
// node i to node i + 1, and the last to node 0 (a ring of 2 is one link). Nodes forward each other's traffic at
// their node type's forwarding_latency. Built alone, the bisection bandwidth is 2 links (1 for 2 nodes).

#include <string>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

struct RingSpec {
  int nodes = 0;  // 2 to 1000000
  std::string node_prefix = "node";
  hw::NodeSpec node;
  hw::LinkSpec link;
};

// Adds nodes `<node_prefix>0..` and then the links in order (link i joins node i to node i + 1 when the topology
// was empty). Throws ParameterError (key nodes).
void add_ring(Topology& topology, const RingSpec& ring, const SourcePos& where);

}  // namespace shardsim::topo
