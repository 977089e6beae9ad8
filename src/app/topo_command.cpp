#include "shardsim/app/commands.hpp"

#include "shardsim/app/command_options.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/topo/dot.hpp"
#include "shardsim/topo/summary.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int topo_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim topo FILE [options]

Loads a topology file and prints its nodes, switches, links, diameter and bisection bandwidth, or the graph
in Graphviz DOT.
example: shardsim topo topologies/pi5-fat-tree-k8.toml --dot | dot -Tsvg > fat-tree.svg

options)");
  options.input("topology", "topology file");
  options.add()("dot", po::bool_switch(), "print the graph in Graphviz DOT instead of the summary");
  options.set("override a key, e.g. --set tree.0.nodes=512 (repeatable)");
  if (!options.parse(args, out)) return 0;

  const std::string path = options.text("topology");
  const topo::Topology topology = scenario::load_topology(path, options.sets());
  if (options.value<bool>("dot")) {
    topo::write_dot(out, topology);
  } else {
    out << path << "\n" << topo::summary(topology);
  }
  return 0;
}

}  // namespace shardsim::app
