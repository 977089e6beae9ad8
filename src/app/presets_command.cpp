#include "shardsim/app/commands.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "shardsim/app/command_options.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/scenario/topology_file.hpp"
#include "shardsim/topo/summary.hpp"
#include "shardsim/util/unit_parse.hpp"
#include "shardsim/workload/model_preset.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace fs = std::filesystem;

int presets_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim presets [--dir FOLDER]

Lists the model presets ([model] preset = ...), the node types defined in the topology files of FOLDER
(type = ... in [[nodes]], node_type = ... in generators), and those topology files with their size.
example: shardsim presets --dir topologies

options)");
  options.add()("dir", po::value<std::string>()->default_value("topologies"), "folder of topology files");
  if (!options.parse(args, out)) return 0;

  const std::string dir = options.text("dir");
  if (!fs::is_directory(dir)) throw command_line_error("--dir: '" + dir + "' is not a folder");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());

  char line[512];
  out << "Model presets\n";
  for (const workload::ModelPreset& m : workload::model_presets()) {
    const double params = static_cast<double>(m.spec.total_params());
    char count[32];
    std::snprintf(count, sizeof count, params >= 1e12 ? "%.3f T" : params >= 1e9 ? "%.3f B" : "%.3f M",
                  params / (params >= 1e12 ? 1e12 : params >= 1e9 ? 1e9 : 1e6));
    std::snprintf(line, sizeof line, "  %-20s %9s params, %3lld layers, %lld/%lld experts, %s  %s\n",
                  std::string(m.name).c_str(), count,
                  static_cast<long long>(m.spec.layers), static_cast<long long>(m.spec.experts_per_token),
                  static_cast<long long>(m.spec.experts), std::string(workload::to_string(m.spec.dtype)).c_str(),
                  std::string(m.description).c_str());
    out << line;
  }

  out << "\nNode types (" << dir << ")\n";
  std::map<std::string, std::pair<hw::NodeSpec, std::string>> types;  // name -> spec, first file defining it
  for (const std::string& file : files) {
    for (auto& [name, spec] : scenario::read_node_types(file)) types.emplace(name, std::make_pair(spec, file));
  }
  std::snprintf(line, sizeof line, "  %-18s %10s %12s %13s %10s %10s  %s\n", "name", "RAM", "memory bw", "FLOP rate",
                "send", "receive", "defined in");
  out << line;
  for (const auto& [name, entry] : types) {
    const hw::NodeSpec& n = entry.first;
    char flops[32];
    std::snprintf(flops, sizeof flops, "%.4g GFLOP/s", n.flop_rate.per_second / 1e9);
    std::snprintf(line, sizeof line, "  %-18s %10s %12s %13s %10s %10s  %s\n", name.c_str(), format_bytes(n.ram).c_str(),
                  format_byte_rate(n.memory_bandwidth).c_str(), flops, format_time(n.send_overhead).c_str(),
                  format_time(n.recv_overhead).c_str(), fs::path(entry.second).filename().string().c_str());
    out << line;
  }

  out << "\nTopologies (" << dir << ")\n";
  for (const std::string& file : files) {
    const std::string name = fs::path(file).filename().string();
    try {
      const topo::Topology t = scenario::load_topology(file);
      std::snprintf(line, sizeof line, "  %-28s %5d nodes %4d switches %5d links, diameter %d hops\n", name.c_str(),
                    t.node_count(), t.switch_count(), t.link_count(), t.diameter_hops());
      out << line;
    } catch (const InputError&) {
      // A file with node types only (no compute nodes) is a library, listed above.
    }
  }
  return 0;
}

}  // namespace shardsim::app
