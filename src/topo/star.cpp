#include "shardsim/topo/star.hpp"

#include "shardsim/topo/parameter_error.hpp"

namespace shardsim::topo {

void add_star(Topology& topology, const StarSpec& star, const SourcePos& where) {
  if (star.nodes < 1 || star.nodes > 1'000'000) {
    throw ParameterError(where, "nodes", "must be between 1 and 1000000, got " + std::to_string(star.nodes));
  }
  const bool whole = topology.vertex_count() == 0;
  topology.add_switch(star.switch_name, star.switch_spec, where);
  for (int i = 0; i < star.nodes; ++i) {
    std::string name = star.node_prefix + std::to_string(i);
    topology.add_node(name, star.node, where);
    topology.add_link(name, star.switch_name, star.link, where);
  }
  if (whole && star.nodes >= 2) {
    topology.set_bisection_bandwidth(ByteRate{star.link.bandwidth.per_second * (star.nodes / 2)});
  }
}

}  // namespace shardsim::topo
