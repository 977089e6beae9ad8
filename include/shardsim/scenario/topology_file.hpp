#pragma once
// Topology files (topologies/*.toml): node types, switches, nodes, links and generators. Quantities carry units.
//
//   include = ["pi-nodes.toml"]          # node types from other files (relative to this one)
//   [node_types.pi4-4gb]                 # ram, memory_bandwidth, flop_rate, op_overhead, send_overhead,
//   ...                                  # recv_overhead, optional storage_bandwidth, forwarding_latency
//   [[switches]]  name, forwarding_latency, ports (optional), capacity (optional)
//   [[nodes]]     name, type
//   [[links]]     a, b, bandwidth, latency
//
// Generators (arrays of tables; each may appear several times with different prefixes). Common keys: node_type,
// node_prefix (default "node": nodes <prefix>0, <prefix>1, ...), bandwidth and latency of the node links; for
// those with switches also switch_prefix (default ""), forwarding_latency and capacity of every switch.
//   [[star]]       nodes, switch (its name, default "switch"), ports (optional)
//   [[tree]]       nodes, ports, uplinks (default 1), levels (default 2), core_ports (default ports),
//                  uplink_bandwidth, uplink_latency (default latency): one value, or an array with one per level of
//                  uplinks from the leaves' up ("1 Gbit/s" or ["10 Gbit/s", "40 Gbit/s"] for levels = 3)
//   [[fat_tree]]   k, nodes (default k^3/4), uplink_bandwidth (default bandwidth), uplink_latency (default latency)
//   [[ring]]       nodes
//   [[torus]]      dims ([4, 4] or [4, 4, 4])
//   [[mesh]]       dims
//   [[full_mesh]]  nodes
// See include/shardsim/topo/<generator>.hpp for the shapes, names and orders they produce.
//
// Order: explicit switches and nodes, then generators (star, tree, fat_tree, ring, torus, mesh, full_mesh; each
// kind in file order), then explicit links, so links may join generated vertices. A generator's parameter error
// names its key and points at its value ("tree.0.ports: must be at least 2").

#include <map>
#include <string>
#include <vector>
#include <toml++/toml.h>

#include "shardsim/hw/node_spec.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::scenario {

// A change to some fields of a node type wherever that type is defined (the topology file or a file it includes):
// `--set topology.node_types.NAME.FIELD=VALUE`, and every [node_types.NAME] table of a calibration file. Its fields
// replace the same-named fields (a table such as decode_rates field by field); the type is then read as if it had
// been written so, every value reported at the place it came from.
struct NodeTypePatch {
  std::string type;
  toml::table fields;  // moved here from where it was parsed: TOML++ keeps source positions only on a move
  // --set: a type no file defines is created in the topology file (and must then be complete). A calibration
  // file's types that the topology does not define are skipped, but a file none of whose types apply is an error.
  bool may_create = false;
  std::string from;  // the calibration file, for that error ("" for --set)
};

// Builds and seals the topology described by `table`, which was read from `file`, after applying `patches` (to
// `table` itself and to the files it includes).
topo::Topology build_topology(toml::table& table, const std::string& file,
                              std::vector<NodeTypePatch> patches = {});

// The node types a file defines (its own [node_types] and those it includes), by name: what `shardsim presets`
// lists. The file may describe no nodes at all (a library of node types such as topologies/pi-nodes.toml).
std::map<std::string, hw::NodeSpec> read_node_types(const std::string& path);

}  // namespace shardsim::scenario
