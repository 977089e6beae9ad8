#include "shardsim/scenario/topology_file.hpp"

#include <array>

#include <set>

#include "shardsim/scenario/toml_file.hpp"
#include "shardsim/scenario/toml_reader.hpp"
#include "shardsim/topo/fat_tree.hpp"
#include "shardsim/topo/full_mesh.hpp"
#include "shardsim/topo/mesh.hpp"
#include "shardsim/topo/parameter_error.hpp"
#include "shardsim/topo/ring.hpp"
#include "shardsim/topo/star.hpp"
#include "shardsim/topo/torus.hpp"
#include "shardsim/topo/tree.hpp"
#include "shardsim/util/suggest.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::scenario {
namespace {

struct NodeType {
  hw::NodeSpec spec;
  SourcePos declared_at;
};
using NodeTypes = std::map<std::string, NodeType, std::less<>>;

// decode_rates / prefill_rates: a table of the node's kernel rates by number format ({ q4_0 = "72 GFLOP/s" }).
void read_kernel_rates(TomlReader& r, std::string_view key,
                       std::array<std::optional<FlopRate>, hw::kNumberFormatCount>& out) {
  const toml::table* table = r.table(key);
  if (!table) return;
  TomlReader rates(*table, r.file(), r.path(key));
  for (const auto& [format_key, value] : *table) {
    const std::string name(format_key.str());
    const std::optional<hw::NumberFormat> format = hw::parse_number_format(name);
    if (!format) {
      std::string message = "unknown number format '" + name + "'; expected one of:";
      for (hw::NumberFormat f : hw::number_formats()) message.append(" ").append(hw::to_string(f));
      throw InputError(position(format_key.source(), r.file()), r.path(key) + ": " + message);
    }
    out[static_cast<std::size_t>(*format)] = rates.flop_rate(name);
  }
  rates.finish();
}

hw::NodeSpec read_node_type(TomlReader& r, const std::string& name) {
  hw::NodeSpec n;
  n.type = name;
  n.ram = r.required(r.bytes("ram"), "ram");
  if (n.ram.count <= 0) r.fail("ram", "must be positive");
  n.memory_bandwidth = r.required(r.byte_rate("memory_bandwidth"), "memory_bandwidth");
  n.flop_rate = r.required(r.flop_rate("flop_rate"), "flop_rate");
  read_kernel_rates(r, "decode_rates", n.kernels.decode);
  read_kernel_rates(r, "prefill_rates", n.kernels.prefill);
  n.cores = static_cast<int>(r.bounded("cores", r.integer("cores").value_or(1), 1, 4096));
  if (const toml::node* overlap = r.node("compute_memory_overlap")) {
    const std::optional<double> v = overlap->value<double>();
    if (!v || *v < 0 || *v > 1) r.fail("compute_memory_overlap", "expected a number from 0 to 1");
    n.compute_memory_overlap = *v;
  }
  n.op_overhead = r.time("op_overhead").value_or(Time{});
  n.send_overhead = r.time("send_overhead").value_or(Time{});
  n.recv_overhead = r.time("recv_overhead").value_or(Time{});
  n.storage_bandwidth = r.byte_rate("storage_bandwidth");
  n.os_reserve = r.bytes("os_reserve").value_or(Bytes{});
  if (n.os_reserve >= n.ram) r.fail("os_reserve", "must be less than ram");
  n.forwarding_latency = r.time("forwarding_latency").value_or(Time{});
  r.finish();
  return n;
}

// Sets the fields of `from` into `into`, a table field by field; values are moved so they keep their positions.
void merge_fields(toml::table& into, toml::table& from) {
  for (auto&& [key, value] : from) {
    toml::node* existing = into.get(key.str());
    if (existing && existing->is_table() && value.is_table()) {
      merge_fields(*existing->as_table(), *value.as_table());
    } else if (existing) {
      into.insert_or_assign(key.str(), std::move(value));
    } else {
      into.insert(toml::key(key), std::move(value));
    }
  }
}

// The patches not yet applied whose type `file_table` defines, merged into its definition. At the top file
// (`top`), a --set patch for a type no file defines creates it there.
void apply_patches(toml::table& file_table, std::vector<NodeTypePatch>& patches, std::vector<bool>& applied,
                   const NodeTypes& included, bool top) {
  for (std::size_t i = 0; i < patches.size(); ++i) {
    if (applied[i]) continue;
    NodeTypePatch& patch = patches[i];
    toml::table* types = file_table["node_types"].as_table();
    toml::table* type = types ? (*types)[patch.type].as_table() : nullptr;
    if (!type && top && patch.may_create && !included.contains(patch.type)) {
      if (!types) types = file_table.insert("node_types", toml::table{}).first->second.as_table();
      type = types->insert(patch.type, toml::table{}).first->second.as_table();
    }
    if (!type) continue;
    merge_fields(*type, patch.fields);
    applied[i] = true;
  }
}

// Reads `include` and `node_types` of one file (`table`, read through `r`) into `types`, after applying the
// patches for the types it defines; `chain` guards against include cycles.
void read_node_types(TomlReader& r, toml::table& table, NodeTypes& types, std::set<std::string>& chain,
                     std::vector<NodeTypePatch>& patches, std::vector<bool>& applied, bool top) {
  if (const toml::array* includes = r.array("include")) {
    for (const toml::node& entry : *includes) {
      const auto name = entry.value_exact<std::string>();
      if (!name) throw InputError(position(entry, r.file()), "include: expected a file name (a string)");
      const std::string path = resolve_relative(r.file(), *name);
      if (!chain.insert(path).second) throw InputError(position(entry, r.file()), "include cycle through '" + path + "'");
      toml::table included = parse_toml_file(path, position(entry, r.file()));
      TomlReader sub(included, path, "");
      read_node_types(sub, included, types, chain, patches, applied, false);
      sub.finish();
      chain.erase(path);
    }
  }
  apply_patches(table, patches, applied, types, top);
  if (const toml::table* node_types = r.table("node_types")) {
    for (const auto& [key, value] : *node_types) {
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

// All node types of the file `table` and its includes, patched.
NodeTypes read_all_node_types(TomlReader& r, toml::table& table, std::vector<NodeTypePatch>& patches) {
  NodeTypes types;
  std::set<std::string> chain{r.file()};
  std::vector<bool> applied(patches.size(), false);
  read_node_types(r, table, types, chain, patches, applied, true);
  // A calibration file none of whose types the topology defines has most likely been given the wrong topology.
  for (std::size_t i = 0; i < patches.size(); ++i) {
    if (patches[i].from.empty() || applied[i]) continue;
    bool any = false;
    std::string names;
    for (std::size_t j = 0; j < patches.size(); ++j) {
      if (patches[j].from != patches[i].from) continue;
      any = any || applied[j];
      names += (names.empty() ? "'" : ", '") + patches[j].type + "'";
    }
    if (!any) {
      std::vector<std::string_view> defined;
      for (const auto& [n, t] : types) defined.push_back(n);
      std::string message = "none of its node types (" + names + ") is defined by the topology " + r.file();
      if (auto best = closest_match(patches[i].type, defined)) message += " (did you mean '" + *best + "'?)";
      throw InputError(SourcePos{patches[i].from, 0, 0}, message);
    }
  }
  return types;
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

// An integer parameter that fits an int; its range is the generator's to check (so that its message names it).
std::optional<int> int_key(TomlReader& r, std::string_view key) {
  const auto v = r.integer(key);
  if (v && (*v < -1'000'000'000 || *v > 1'000'000'000)) r.fail(key, "out of range, got " + std::to_string(*v));
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

// A required array of integers ("dims = [4, 4]"); a bad entry is reported at itself.
std::vector<int> int_array(TomlReader& r, std::string_view key) {
  const toml::array* a = r.array(key);
  if (!a) r.missing(key);
  std::vector<int> values;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto v = (*a)[i].value_exact<std::int64_t>();
    const std::string path = r.path(key) + "." + std::to_string(i);
    if (!v) throw InputError(position((*a)[i], r.file()), path + ": expected an integer");
    if (*v < -1'000'000'000 || *v > 1'000'000'000) {
      throw InputError(position((*a)[i], r.file()), path + ": out of range, got " + std::to_string(*v));
    }
    values.push_back(static_cast<int>(*v));
  }
  return values;
}

// A quantity given once or per level: "10 Gbit/s" or ["10 Gbit/s", "40 Gbit/s"]. Empty when absent.
template <class T, class One, class Parse>
std::vector<T> one_or_array(TomlReader& r, std::string_view key, One one, Parse parse) {
  const toml::node* n = r.node(key);
  if (!n) return {};
  if (!n->is_array()) return {*(r.*one)(key)};
  const toml::array& a = *n->as_array();
  if (a.empty()) r.fail(key, "expected at least one value");
  std::vector<T> values;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string path = r.path(key) + "." + std::to_string(i);
    const auto text = a[i].value_exact<std::string>();
    if (!text) throw InputError(position(a[i], r.file()), path + ": expected a string with its unit");
    try {
      values.push_back(parse(*text));
    } catch (const UnitError& e) {
      throw InputError(position(a[i], r.file()), path + ": " + e.what());
    }
  }
  return values;
}

// The switch keys every generator with switches shares, and explicit [[switches]]: forwarding_latency, capacity.
hw::SwitchSpec read_switch(TomlReader& r) {
  hw::SwitchSpec spec;
  spec.forwarding_latency = r.time("forwarding_latency").value_or(Time{});
  spec.capacity = r.byte_rate("capacity");
  return spec;
}

// Optional `ports` of a single switch: at least 1 when given; 0 (unbounded) when absent.
int read_ports(TomlReader& r) {
  const auto ports = int_key(r, "ports");
  if (ports && *ports < 1) r.fail("ports", "must be at least 1, got " + std::to_string(*ports));
  return ports.value_or(0);
}

// The link from a generated node: bandwidth (required), latency.
hw::LinkSpec read_link(TomlReader& r) {
  hw::LinkSpec link;
  link.bandwidth = r.required(r.byte_rate("bandwidth"), "bandwidth");
  link.latency = r.time("latency").value_or(Time{});
  return link;
}

// Rejects unknown keys, then runs the generator; a parameter it rejects is reported at that key's value.
template <class F>
void generate(TomlReader& r, F build) {
  r.finish();
  try {
    build();
  } catch (const topo::ParameterError& e) {
    r.fail(e.key(), e.detail());
  }
}

}  // namespace

std::map<std::string, hw::NodeSpec> read_node_types(const std::string& path) {
  toml::table table = parse_toml_file(path, SourcePos{path, 0, 0});
  TomlReader r(table, path, "");
  std::vector<NodeTypePatch> none;
  const NodeTypes types = read_all_node_types(r, table, none);
  std::map<std::string, hw::NodeSpec> out;
  for (const auto& [name, type] : types) out.emplace(name, type.spec);
  return out;
}

topo::Topology build_topology(toml::table& table, const std::string& file, std::vector<NodeTypePatch> patches) {
  TomlReader r(table, file, "");
  const NodeTypes types = read_all_node_types(r, table, patches);

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
    hw::SwitchSpec spec = read_switch(s);
    spec.ports = read_ports(s);
    topology.add_switch(name, spec, position(s.raw(), file));
  });
  each_table(r, "nodes", [&](TomlReader& n) {
    const std::string name = new_name(n);
    topology.add_node(name, find_type(types, n, "type"), position(n.raw(), file));
  });
  each_table(r, "star", [&](TomlReader& s) {
    topo::StarSpec star;
    star.nodes = s.required(int_key(s, "nodes"), "nodes");
    star.node = find_type(types, s, "node_type");
    star.node_prefix = s.string("node_prefix").value_or("node");
    star.switch_name = s.string("switch").value_or("switch");
    star.switch_spec = read_switch(s);
    star.switch_spec.ports = read_ports(s);
    star.link = read_link(s);
    generate(s, [&] { topo::add_star(topology, star, position(s.raw(), file)); });
  });
  each_table(r, "tree", [&](TomlReader& s) {
    topo::TreeSpec tree;
    tree.nodes = s.required(int_key(s, "nodes"), "nodes");
    tree.node = find_type(types, s, "node_type");
    tree.node_prefix = s.string("node_prefix").value_or("node");
    tree.switch_prefix = s.string("switch_prefix").value_or("");
    tree.levels = int_key(s, "levels").value_or(2);
    tree.ports = s.required(int_key(s, "ports"), "ports");
    tree.uplinks = int_key(s, "uplinks").value_or(1);
    tree.core_ports = int_key(s, "core_ports").value_or(0);
    tree.switch_spec = read_switch(s);
    tree.link = read_link(s);
    const auto bandwidths = one_or_array<ByteRate>(s, "uplink_bandwidth", &TomlReader::byte_rate, parse_byte_rate);
    if (bandwidths.empty()) s.missing("uplink_bandwidth");
    auto latencies = one_or_array<Time>(s, "uplink_latency", &TomlReader::time, parse_time);
    if (latencies.empty()) latencies.push_back(tree.link.latency);
    for (const ByteRate& b : bandwidths) {
      if (!(b.per_second > 0)) s.fail("uplink_bandwidth", "must be positive");
    }
    // One value for every level, or one per level of uplinks (the generator checks the count against levels).
    if (latencies.size() != 1 && bandwidths.size() != 1 && latencies.size() != bandwidths.size()) {
      s.fail("uplink_latency", "expected one value, or as many as uplink_bandwidth (" +
                                   std::to_string(bandwidths.size()) + "), got " + std::to_string(latencies.size()));
    }
    for (std::size_t i = 0; i < std::max(bandwidths.size(), latencies.size()); ++i) {
      tree.uplink.push_back(hw::LinkSpec{bandwidths[bandwidths.size() == 1 ? 0 : i],
                                         latencies[latencies.size() == 1 ? 0 : i]});
    }
    generate(s, [&] { topo::add_tree(topology, tree, position(s.raw(), file)); });
  });
  each_table(r, "fat_tree", [&](TomlReader& s) {
    topo::FatTreeSpec fat;
    fat.k = s.required(int_key(s, "k"), "k");
    fat.nodes = int_key(s, "nodes").value_or(0);
    if (s.has("nodes") && fat.nodes < 1) s.fail("nodes", "must be at least 1, got " + std::to_string(fat.nodes));
    fat.node = find_type(types, s, "node_type");
    fat.node_prefix = s.string("node_prefix").value_or("node");
    fat.switch_prefix = s.string("switch_prefix").value_or("");
    fat.switch_spec = read_switch(s);
    fat.link = read_link(s);
    fat.uplink.bandwidth = s.byte_rate("uplink_bandwidth").value_or(fat.link.bandwidth);
    fat.uplink.latency = s.time("uplink_latency").value_or(fat.link.latency);
    generate(s, [&] { topo::add_fat_tree(topology, fat, position(s.raw(), file)); });
  });
  each_table(r, "ring", [&](TomlReader& s) {
    topo::RingSpec ring;
    ring.nodes = s.required(int_key(s, "nodes"), "nodes");
    ring.node = find_type(types, s, "node_type");
    ring.node_prefix = s.string("node_prefix").value_or("node");
    ring.link = read_link(s);
    generate(s, [&] { topo::add_ring(topology, ring, position(s.raw(), file)); });
  });
  each_table(r, "torus", [&](TomlReader& s) {
    topo::TorusSpec torus;
    torus.dims = int_array(s, "dims");
    torus.node = find_type(types, s, "node_type");
    torus.node_prefix = s.string("node_prefix").value_or("node");
    torus.link = read_link(s);
    generate(s, [&] { topo::add_torus(topology, torus, position(s.raw(), file)); });
  });
  each_table(r, "mesh", [&](TomlReader& s) {
    topo::MeshSpec mesh;
    mesh.dims = int_array(s, "dims");
    mesh.node = find_type(types, s, "node_type");
    mesh.node_prefix = s.string("node_prefix").value_or("node");
    mesh.link = read_link(s);
    generate(s, [&] { topo::add_mesh(topology, mesh, position(s.raw(), file)); });
  });
  each_table(r, "full_mesh", [&](TomlReader& s) {
    topo::FullMeshSpec mesh;
    mesh.nodes = s.required(int_key(s, "nodes"), "nodes");
    mesh.node = find_type(types, s, "node_type");
    mesh.node_prefix = s.string("node_prefix").value_or("node");
    mesh.link = read_link(s);
    generate(s, [&] { topo::add_full_mesh(topology, mesh, position(s.raw(), file)); });
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
