#include "shardsim/app/commands.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "shardsim/app/command_options.hpp"
#include "shardsim/app/preset_folder.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/scenario/topology_file.hpp"
#include "shardsim/topo/summary.hpp"
#include "shardsim/util/unit_parse.hpp"
#include "shardsim/workload/model_preset.hpp"
#include "shardsim/workload/transformer_preset.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::string param_count(double params) {
  char count[32];
  std::snprintf(count, sizeof count, params >= 1e12 ? "%.3f T" : params >= 1e9 ? "%.3f B" : "%.3f M",
                params / (params >= 1e12 ? 1e12 : params >= 1e9 ? 1e9 : 1e6));
  return count;
}

}  // namespace

int presets_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim presets [--dir FOLDER]

Lists every preset with where it is defined: the MLP model presets ([model] preset = ...) and transformer presets
([transformer] preset = ...) built into shardsim, the node types of the topology files in FOLDER (type = ... in
[[nodes]], node_type = ... in generators) with their usable RAM, and those topology files with their size.
Without --dir: ./topologies if there is one, else the topologies installed with shardsim
(<prefix>/share/shardsim/topologies beside <prefix>/bin/shardsim).
example: shardsim presets --dir topologies

options)");
  options.add()("dir", po::value<std::string>(), "folder of topology files");
  if (!options.parse(args, out)) return 0;

  const PresetFolder folder =
      find_preset_folder(options.has("dir") ? std::optional<std::string>(options.text("dir")) : std::nullopt);
  const std::string& dir = folder.path;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  out << "Preset topologies from " << dir << " (" << folder.found_by << ")\n\n";

  char line[512];
  out << "Model presets: MLP stacks, [model] preset = \"...\" (built in: src/workload/model_preset.cpp)\n";
  for (const workload::ModelPreset& m : workload::model_presets()) {
    std::snprintf(line, sizeof line, "  %-20s %9s params, %3lld layers, %lld/%lld experts, %s  %s\n",
                  std::string(m.name).c_str(), param_count(static_cast<double>(m.spec.total_params())).c_str(),
                  static_cast<long long>(m.spec.layers), static_cast<long long>(m.spec.experts_per_token),
                  static_cast<long long>(m.spec.experts), std::string(workload::to_string(m.spec.dtype)).c_str(),
                  std::string(m.description).c_str());
    out << line;
  }

  out << "\nTransformer presets: [transformer] preset = \"...\" (built in: src/workload/transformer_preset.cpp)\n";
  for (const workload::TransformerPreset& t : workload::transformer_presets()) {
    const workload::ParamCounts counts = workload::param_counts(t.spec);
    std::snprintf(line, sizeof line, "  %-20s %9s params, %3lld layers, context %6lld, %-5s %s\n",
                  std::string(t.name).c_str(), param_count(static_cast<double>(counts.total())).c_str(),
                  static_cast<long long>(t.spec.layers), static_cast<long long>(t.spec.max_context),
                  std::string(hw::to_string(t.spec.weight_format)).c_str(), std::string(t.description).c_str());
    out << line;
  }

  out << "\nNode types (" << dir << ")\n";
  // name -> spec and where it is declared (the library file, e.g. pi-nodes.toml, not a file that includes it).
  std::map<std::string, scenario::DeclaredNodeType> types;
  for (const std::string& file : files) {
    for (auto& [name, type] : scenario::read_node_types(file)) types.emplace(name, type);
  }
  std::snprintf(line, sizeof line, "  %-18s %10s %10s %12s %13s %10s %10s  %s\n", "name", "RAM", "usable", "memory bw",
                "FLOP rate", "send", "receive", "defined at");
  out << line;
  for (const auto& [name, type] : types) {
    const hw::NodeSpec& n = type.spec;
    char flops[32];
    std::snprintf(flops, sizeof flops, "%.4g GFLOP/s", n.flop_rate.per_second / 1e9);
    const SourcePos& at = type.declared_at;
    const std::string where = fs::path(at.file).filename().string() + ":" + std::to_string(at.line);
    std::snprintf(line, sizeof line, "  %-18s %10s %10s %12s %13s %10s %10s  %s\n", name.c_str(),
                  format_bytes(n.ram).c_str(), format_bytes(n.usable_ram()).c_str(),
                  format_byte_rate(n.memory_bandwidth).c_str(), flops, format_time(n.send_overhead).c_str(),
                  format_time(n.recv_overhead).c_str(), where.c_str());
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
