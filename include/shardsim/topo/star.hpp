#pragma once
// The `star` generator: `nodes` compute nodes, each on its own link to one switch.
// Node i is named `<node_prefix><i>`; every link gets the same spec. Built alone, the star's bisection bandwidth
// is floor(nodes / 2) links (the switch sits with the larger half).

#include <string>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

struct StarSpec {
  int nodes = 0;
  std::string node_prefix = "node";
  std::string switch_name = "switch";
  hw::NodeSpec node;
  hw::SwitchSpec switch_spec;  // forwarding latency, ports (checked by seal()), capacity
  hw::LinkSpec link;
};

// Adds the star's vertices and links to `topology` (which may already hold others). Vertex and link order: the
// switch, then node i and its link (link i when the topology was empty).
void add_star(Topology& topology, const StarSpec& star, const SourcePos& where);

}  // namespace shardsim::topo
