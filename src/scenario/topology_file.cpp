#include "shardsim/scenario/topology_file.hpp"

#include <set>

#include "shardsim/scenario/toml_file.hpp"
#include "shardsim/scenario/toml_reader.hpp"
#include "shardsim/topo/star.hpp"
#include "shardsim/util/suggest.hpp"

namespace shardsim::scenario {
namespace {

struct NodeType {
  hw::NodeSpec spec;
  SourcePos declared_at;
};
using NodeTypes = std::map<std::string, NodeType, std::less<>>;

hw::NodeSpec read_node_type(TomlReader& r, const std::string& name) {
  hw::NodeSpec n;
  n.type = name;
  n.ram = r.required(r.bytes("ram"), "ram");
  if (n.ram.count <= 0) r.fail("ram", "must be positive");
  n.memory_bandwidth = r.required(r.byte_rate("memory_bandwidth"), "memory_bandwidth");
  n.flop_rate = r.required(r.flop_rate("flop_rate"), "flop_rate");
  n.op_overhead = r.time("op_overhead").value_or(Time{});
  n.send_overhead = r.time("send_overhead").value_or(Time{});
  n.recv_overhead = r.time("recv_overhead").value_or(Time{});
  n.storage_bandwidth = r.byte_rate("storage_bandwidth");
  r.finish();
  return n;
}

// Reads `include` and `node_types` of one file into `types`; `chain` guards against include cycles.
void read_node_types(TomlReader& r, NodeTypes& types, std::set<std::string>& chain) {
  if (const toml::array* includes = r.array("include")) {
    for (const toml::node& entry : *includes) {
      const auto name = entry.value_exact<std::string>();
      if (!name) throw InputError(position(entry, r.file()), "include: expected a file name (a string)");
      const std::string path = resolve_relative(r.file(), *name);
      if (!chain.insert(path).second) throw InputError(position(entry, r.file()), "include cycle through '" + path + "'");
      const toml::table included = parse_toml_file(path, position(entry, r.file()));
      TomlReader sub(included, path, "");
      read_node_types(sub, types, chain);
      sub.finish();
      chain.erase(path);
    }
  }
  if (const toml::table* table = r.table("node_types")) {
    for (const auto& [key, value] : *table) {
      const std::string name(key.str());
      const toml::table* t = value.as_table();
      if (!t) throw InputError(position(value, r.file()), r.path("node_types." + name) + ": expected a table");
      TomlReader nr(*t, r.file(), r.path("node_types." + name));
      NodeType type{read_node_type(nr, name), position(key.source(), r.file())};
      auto [it, inserted] = types.emplace(name, type);
      if (!inserted) {
        throw InputError(type.declared_at, "node type '" + name + "' is already defined at " +
                                               to_string(it->second.declared_at));
      }
    }
  }
}

const hw::NodeSpec& find_type(const NodeTypes& types, TomlReader& r, std::string_view key) {
  const std::string name = r.require_string(key);
  auto it = types.find(name);
  if (it != types.end()) return it->second.spec;
  std::vector<std::string_view> names;
  for (const auto& [n, t] : types) names.push_back(n);
  std::string message = "unknown node type '" + name + "'";
  if (auto best = closest_match(name, names)) message += " (did you mean '" + *best + "'?)";
  r.fail(key, message);
}

// Calls f(reader) for each table of the array of tables `key`.
template <class F>
void each_table(TomlReader& r, std::string_view key, F f) {
  const toml::array* a = r.array(key);
  if (!a) return;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::table* t = (*a)[i].as_table();
    const std::string path = r.path(key) + "." + std::to_string(i);
    if (!t) throw InputError(position((*a)[i], r.file()), path + ": expected a table");
    TomlReader item(*t, r.file(), path);
    f(item);
    item.finish();
  }
}

}  // namespace

topo::Topology build_topology(const toml::table& table, const std::string& file) {
  TomlReader r(table, file, "");
  NodeTypes types;
  std::set<std::string> chain{file};
  read_node_types(r, types, chain);

  topo::Topology topology;
  // Names and link ends are checked here, where the key is known, so errors point at the value.
  auto new_name = [&topology](TomlReader& t) {
    std::string name = t.require_string("name");
    if (name.empty()) t.fail("name", "must not be empty");
    if (const topo::Vertex* v = topology.find(name)) {
      t.fail("name", "duplicate name '" + name + "' (first declared at " + to_string(v->declared_at) + ")");
    }
    return name;
  };
  each_table(r, "switches", [&](TomlReader& s) {
    const std::string name = new_name(s);
    hw::SwitchSpec spec;
    spec.forwarding_latency = s.time("forwarding_latency").value_or(Time{});
    topology.add_switch(name, spec, position(s.raw(), file));
  });
  each_table(r, "nodes", [&](TomlReader& n) {
    const std::string name = new_name(n);
    topology.add_node(name, find_type(types, n, "type"), position(n.raw(), file));
  });
  each_table(r, "star", [&](TomlReader& s) {
    topo::StarSpec star;
    star.nodes = static_cast<int>(s.bounded("nodes", s.require_integer("nodes"), 1, 1'000'000));
    star.node = find_type(types, s, "node_type");
    star.node_prefix = s.string("node_prefix").value_or("node");
    star.switch_name = s.string("switch").value_or("switch");
    star.switch_spec.forwarding_latency = s.time("forwarding_latency").value_or(Time{});
    star.link.bandwidth = s.required(s.byte_rate("bandwidth"), "bandwidth");
    star.link.latency = s.time("latency").value_or(Time{});
    topo::add_star(topology, star, position(s.raw(), file));
  });
  each_table(r, "links", [&](TomlReader& l) {
    auto end = [&](std::string_view key) {
      std::string name = l.require_string(key);
      if (!topology.find(name)) {
        std::vector<std::string_view> names;
        for (int v = 0; v < topology.vertex_count(); ++v) names.push_back(topology.vertex(v).name);
        std::string message = "'" + name + "' is not a declared node or switch";
        if (auto best = closest_match(name, names)) message += " (did you mean '" + *best + "'?)";
        l.fail(key, message);
      }
      return name;
    };
    const std::string a = end("a");
    const std::string b = end("b");
    if (a == b) l.fail("b", "a link cannot join '" + a + "' to itself");
    hw::LinkSpec spec;
    spec.bandwidth = l.required(l.byte_rate("bandwidth"), "bandwidth");
    spec.latency = l.time("latency").value_or(Time{});
    topology.add_link(a, b, spec, position(l.raw(), file));
  });
  r.finish();
  if (topology.node_count() == 0) throw InputError(SourcePos{file, 0, 0}, "the topology has no compute nodes");
  topology.seal();
  return topology;
}

}  // namespace shardsim::scenario
