#pragma once
// Topology files (topologies/*.toml): node types, switches, nodes, links and generators.
//
//   include = ["pi-nodes.toml"]          # node types from other files (relative to this one)
//   [node_types.pi4-4gb]                 # ram, memory_bandwidth, flop_rate, op_overhead, send_overhead,
//   ...                                  # recv_overhead, optional storage_bandwidth
//   [[switches]]  name, forwarding_latency
//   [[nodes]]     name, type
//   [[links]]     a, b, bandwidth, latency
//   [[star]]      nodes, node_type, node_prefix, switch, forwarding_latency, bandwidth, latency
//
// Generators run after the explicit switches and nodes and before the explicit links, so links may join
// generated vertices.

#include <map>
#include <string>
#include <toml++/toml.h>

#include "shardsim/hw/node_spec.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::scenario {

// Builds and seals the topology described by `table`, which was read from `file`.
topo::Topology build_topology(const toml::table& table, const std::string& file);

}  // namespace shardsim::scenario
