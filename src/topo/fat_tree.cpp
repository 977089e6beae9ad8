#include "shardsim/topo/fat_tree.hpp"

#include "shardsim/topo/parameter_error.hpp"

namespace shardsim::topo {

void add_fat_tree(Topology& topology, const FatTreeSpec& f, const SourcePos& where) {
  if (f.k < 2 || f.k > 64 || f.k % 2 != 0) {
    throw ParameterError(where, "k", "must be an even number from 2 to 64, got " + std::to_string(f.k));
  }
  const int half = f.k / 2;
  const int hosts = f.k * f.k * f.k / 4;
  const int nodes = f.nodes == 0 ? hosts : f.nodes;
  if (nodes < 1 || nodes > hosts) {
    throw ParameterError(where, "nodes",
                         "must be between 1 and k^3/4 = " + std::to_string(hosts) + ", got " + std::to_string(nodes));
  }
  const bool whole = topology.vertex_count() == 0;
  auto two = [&](const char* kind, int a, int b) {
    return f.switch_prefix + kind + std::to_string(a) + "-" + std::to_string(b);
  };
  hw::SwitchSpec spec = f.switch_spec;
  spec.ports = f.k;
  for (int j = 0; j < half; ++j) {
    for (int m = 0; m < half; ++m) topology.add_switch(two("core", j, m), spec, where);
  }
  for (int p = 0; p < f.k; ++p) {
    for (int j = 0; j < half; ++j) topology.add_switch(two("agg", p, j), spec, where);
    for (int i = 0; i < half; ++i) topology.add_switch(two("edge", p, i), spec, where);
  }
  for (int h = 0; h < nodes; ++h) {
    const std::string name = f.node_prefix + std::to_string(h);
    const int edge = h / half;  // edge switch edge % half of pod edge / half
    topology.add_node(name, f.node, where);
    topology.add_link(name, two("edge", edge / half, edge % half), f.link, where);
  }
  for (int p = 0; p < f.k; ++p) {
    for (int i = 0; i < half; ++i) {
      for (int j = 0; j < half; ++j) topology.add_link(two("edge", p, i), two("agg", p, j), f.uplink, where);
    }
  }
  for (int p = 0; p < f.k; ++p) {
    for (int j = 0; j < half; ++j) {
      for (int m = 0; m < half; ++m) topology.add_link(two("agg", p, j), two("core", j, m), f.uplink, where);
    }
  }
  if (whole && nodes >= 2 && f.uplink.bandwidth >= f.link.bandwidth) {
    topology.set_bisection_bandwidth(ByteRate{f.link.bandwidth.per_second * (nodes / 2)});
  }
}

}  // namespace shardsim::topo
