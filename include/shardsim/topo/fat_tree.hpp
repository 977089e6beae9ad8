#pragma once
// The `fat_tree` generator: a k-ary fat-tree (Al-Fares et al., 2008), k even. k pods, each of k/2 edge and k/2
// aggregation switches (every edge switch joined to every aggregation switch of its pod); (k/2)^2 core switches,
// core (j, m) joined to aggregation switch j of every pod; k/2 hosts per edge switch, k^3/4 in all. Every switch
// has k ports. `nodes` may be fewer than k^3/4: hosts then fill edge switches in order and the fabric stays whole.
// Routes between pods have (k/2)^2 equal-cost paths, which route() spreads flows over.
//
// Names: hosts `<node_prefix><i>` (host i on edge switch i / (k/2)); switches `<switch_prefix>edge<p>-<i>`,
// `<switch_prefix>agg<p>-<j>` (pod p) and `<switch_prefix>core<j>-<m>`.
// Built alone, it records its bisection bandwidth: floor(nodes / 2) host links (a fat-tree is rearrangeably
// non-blocking, so no balanced cut is narrower than the hosts of one half), provided switch-to-switch links are at
// least as fast as host links; unknown otherwise.

#include <string>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

struct FatTreeSpec {
  int k = 0;      // even, 2 to 64
  int nodes = 0;  // 0: k^3/4
  std::string node_prefix = "node";
  std::string switch_prefix;
  hw::NodeSpec node;
  hw::SwitchSpec switch_spec;  // forwarding latency and capacity of every switch (ports: k)
  hw::LinkSpec link;           // host to edge switch
  hw::LinkSpec uplink;         // edge to aggregation and aggregation to core
};

// Adds the fat-tree to `topology`. Order of vertices: core switches, then per pod its aggregation and edge
// switches, then the hosts. Links: host i to its edge switch (link i when the topology was empty), then edge to
// aggregation (pod by pod, edge by edge, aggregation by aggregation), then aggregation to core (pod by pod,
// aggregation j to core (j, 0) .. (j, k/2 - 1)). Throws ParameterError (keys k, nodes).
void add_fat_tree(Topology& topology, const FatTreeSpec& fat_tree, const SourcePos& where);

}  // namespace shardsim::topo
