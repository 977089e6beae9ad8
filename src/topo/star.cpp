#include "shardsim/topo/star.hpp"

namespace shardsim::topo {

void add_star(Topology& topology, const StarSpec& star, const SourcePos& where) {
  if (star.nodes < 1) throw InputError(where, "a star needs at least one node");
  topology.add_switch(star.switch_name, star.switch_spec, where);
  for (int i = 0; i < star.nodes; ++i) {
    std::string name = star.node_prefix + std::to_string(i);
    topology.add_node(name, star.node, where);
    topology.add_link(name, star.switch_name, star.link, where);
  }
}

}  // namespace shardsim::topo
