#pragma once
// The `tree` generator: compute nodes on leaf switches, the leaves joined upwards to one core switch, through
// `levels - 2` levels of aggregation switches in between (levels = 2: leaves -> core; 3: leaves -> aggregation
// -> core; ...).
//
// Every leaf and aggregation switch has `ports` ports, `uplinks` of which go to its parent (parallel links, which
// routing spreads flows over). Nodes fill the leaves in order, `ports - uplinks` per leaf (node i on leaf
// i / (ports - uplinks)); children fill aggregation switches in order, (ports - uplinks) / uplinks each; the core
// takes every switch of the level below and needs `uplinks` ports per child (core_ports, default `ports`).
// Names: nodes `<node_prefix><i>`; switches `<switch_prefix>leaf<i>`, `<switch_prefix>agg<i>` (with more than one
// aggregation level, `<switch_prefix>agg<level>-<i>`, level 1 just above the leaves), `<switch_prefix>core`.
//
// Built alone, the tree records its exact bisection bandwidth (least bandwidth cut by splitting the nodes into
// halves, by dynamic programming over the tree; computed up to 16384 nodes, unknown above).

#include <string>
#include <vector>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

struct TreeSpec {
  int nodes = 0;       // 1 to 1000000
  int levels = 2;      // switch levels, leaves and core included (2 to 8)
  int ports = 0;       // ports of every leaf and aggregation switch (at least 2)
  int uplinks = 1;     // parallel links from each leaf and aggregation switch to its parent (1 to ports - 1)
  int core_ports = 0;  // ports of the core switch; 0: `ports`
  std::string node_prefix = "node";
  std::string switch_prefix;
  hw::NodeSpec node;
  hw::SwitchSpec switch_spec;  // forwarding latency and capacity of every switch (ports come from above)
  hw::LinkSpec link;           // node to leaf
  // Uplinks per level, leaves' first: one entry for every level, or levels - 1 entries.
  std::vector<hw::LinkSpec> uplink;
};

// The number of switches on each level, leaves first and the core (1) last. Throws ParameterError (keys nodes,
// levels, ports, uplinks, core_ports, uplink_bandwidth) at `where` for parameters that build no tree.
std::vector<int> tree_level_sizes(const TreeSpec& tree, const SourcePos& where);

// Adds the tree's vertices and links to `topology`. Order: switches (leaves, aggregation levels upwards, core);
// node i with its link to its leaf (link i when the topology was empty); then the uplinks, level by level from
// the leaves, switch by switch.
void add_tree(Topology& topology, const TreeSpec& tree, const SourcePos& where);

}  // namespace shardsim::topo
