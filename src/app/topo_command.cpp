#include "shardsim/app/commands.hpp"

#include "shardsim/scenario/scenario.hpp"
#include "shardsim/topo/dot.hpp"
#include "shardsim/topo/summary.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int topo_command(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim topo FILE [options]\n\n"
      "Loads a topology file and prints its nodes, switches, links, diameter and bisection bandwidth, or the graph\n"
      "in Graphviz DOT.\n"
      "example: shardsim topo topologies/pi5-fat-tree-k8.toml --dot | dot -Tsvg > fat-tree.svg\n\noptions");
  options.add_options()("topology", po::value<std::string>()->required(), "topology file")(
      "dot", po::bool_switch(), "print the graph in Graphviz DOT instead of the summary")(
      "set", po::value<std::vector<std::string>>(), "override a key, e.g. --set tree.0.nodes=512 (repeatable)");
  po::positional_options_description positional;
  positional.add("topology", 1);
  Parsed p = parse_options(args, options, positional);
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  const std::string path = p.vm["topology"].as<std::string>();
  const topo::Topology topology = scenario::load_topology(path, strings(p.vm, "set"));
  if (p.vm["dot"].as<bool>()) {
    topo::write_dot(out, topology);
  } else {
    out << path << "\n" << topo::summary(topology);
  }
  return 0;
}

}  // namespace shardsim::app
