#include "shardsim/topo/tree.hpp"

#include <algorithm>
#include <limits>

#include "shardsim/topo/parameter_error.hpp"

namespace shardsim::topo {
namespace {

constexpr int kMaxBisectionNodes = 16384;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Least cut bandwidth of a subtree as a function of k, the number of its nodes on side B (k = 0 .. its node
// count, capped at the half being sought), for its top switch on side A (`a`) and on side B (`b`). Links inside
// the subtree only; the uplink above it is priced by its parent.
struct Cut {
  std::vector<double> a, b;
};

std::vector<double> min_plus(const std::vector<double>& x, const std::vector<double>& y, std::size_t cap) {
  std::vector<double> z(std::min(x.size() + y.size() - 1, cap + 1), kInfinity);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] == kInfinity) continue;
    for (std::size_t j = 0; j < y.size() && i + j < z.size(); ++j) z[i + j] = std::min(z[i + j], x[i] + y[j]);
  }
  return z;
}

Cut leaf_cut(int nodes, double bandwidth, std::size_t cap) {
  Cut c;
  for (std::size_t k = 0; k <= std::min(static_cast<std::size_t>(nodes), cap); ++k) {
    c.a.push_back(static_cast<double>(k) * bandwidth);                                  // k nodes cut off to B
    c.b.push_back(static_cast<double>(static_cast<std::size_t>(nodes) - k) * bandwidth);  // nodes - k left on A
  }
  return c;
}

// Adds a child below `parent`, joined by uplinks of `up` in total.
void add_child(Cut& parent, const Cut& child, double up, std::size_t cap) {
  std::vector<double> under_a(child.a.size()), under_b(child.a.size());
  for (std::size_t k = 0; k < child.a.size(); ++k) {
    under_a[k] = std::min(child.a[k], child.b[k] + up);
    under_b[k] = std::min(child.b[k], child.a[k] + up);
  }
  parent.a = min_plus(parent.a, under_a, cap);
  parent.b = min_plus(parent.b, under_b, cap);
}

const hw::LinkSpec& uplink(const TreeSpec& tree, int level) {
  return tree.uplink.size() == 1 ? tree.uplink[0] : tree.uplink[static_cast<std::size_t>(level)];
}

// Every level holds identical full switches and one last (maybe partial) switch, so two cut functions per level
// suffice. Cost: O(nodes * nodes / 2) additions at the core, hence the cap.
std::optional<ByteRate> bisection(const TreeSpec& tree, const std::vector<int>& sizes) {
  if (tree.nodes < 2 || tree.nodes > kMaxBisectionNodes) return std::nullopt;
  const auto half = static_cast<std::size_t>(tree.nodes / 2);
  const int per_leaf = tree.ports - tree.uplinks;
  Cut full = leaf_cut(per_leaf, tree.link.bandwidth.per_second, half);
  Cut last = leaf_cut(tree.nodes - (sizes[0] - 1) * per_leaf, tree.link.bandwidth.per_second, half);
  for (std::size_t level = 1; level < sizes.size(); ++level) {
    const double up = tree.uplinks * uplink(tree, static_cast<int>(level) - 1).bandwidth.per_second;
    const bool core = level + 1 == sizes.size();
    const int per_switch = core ? sizes[level - 1] : (tree.ports - tree.uplinks) / tree.uplinks;
    const int in_last = sizes[level - 1] - (sizes[level] - 1) * per_switch;
    Cut next_full{{0.0}, {0.0}};
    if (sizes[level] > 1) {
      for (int i = 0; i < per_switch; ++i) add_child(next_full, full, up, half);
    }
    Cut next_last{{0.0}, {0.0}};
    for (int i = 0; i + 1 < in_last; ++i) add_child(next_last, full, up, half);
    add_child(next_last, last, up, half);
    full = std::move(next_full);
    last = std::move(next_last);
  }
  if (last.a.size() <= half) return std::nullopt;  // cannot happen: the core holds every node
  return ByteRate{std::min(last.a[half], last.b[half])};
}

std::string number(int i) { return std::to_string(i); }

}  // namespace

std::vector<int> tree_level_sizes(const TreeSpec& t, const SourcePos& where) {
  if (t.nodes < 1 || t.nodes > 1'000'000) {
    throw ParameterError(where, "nodes", "must be between 1 and 1000000, got " + number(t.nodes));
  }
  if (t.levels < 2 || t.levels > 8) {
    throw ParameterError(where, "levels", "must be between 2 (leaves and core) and 8, got " + number(t.levels));
  }
  if (t.ports < 2) throw ParameterError(where, "ports", "must be at least 2, got " + number(t.ports));
  if (t.uplinks < 1 || t.uplinks >= t.ports) {
    throw ParameterError(where, "uplinks",
                         "must be between 1 and ports - 1 = " + number(t.ports - 1) + " (a leaf needs a port for " +
                             "nodes), got " + number(t.uplinks));
  }
  if (t.levels > 2 && t.ports < 2 * t.uplinks) {
    throw ParameterError(where, "uplinks",
                         "an aggregation switch needs " + number(t.uplinks) + " ports up and " + number(t.uplinks) +
                             " for each child: ports must be at least 2 x uplinks = " + number(2 * t.uplinks));
  }
  if (t.core_ports < 0) throw ParameterError(where, "core_ports", "must not be negative");
  if (t.uplink.size() != 1 && t.uplink.size() != static_cast<std::size_t>(t.levels - 1)) {
    throw ParameterError(where, "uplink_bandwidth",
                         "expected one bandwidth, or one per level of uplinks (levels - 1 = " +
                             number(t.levels - 1) + "), got " + number(static_cast<int>(t.uplink.size())));
  }
  std::vector<int> sizes;
  const int per_leaf = t.ports - t.uplinks;
  sizes.push_back((t.nodes + per_leaf - 1) / per_leaf);
  const int per_aggregation = (t.ports - t.uplinks) / t.uplinks;
  for (int level = 1; level + 1 < t.levels; ++level) {
    sizes.push_back((sizes.back() + per_aggregation - 1) / per_aggregation);
  }
  const int core_ports = t.core_ports > 0 ? t.core_ports : t.ports;
  const long long needed = static_cast<long long>(sizes.back()) * t.uplinks;
  if (needed > core_ports) {
    throw ParameterError(where, t.core_ports > 0 ? "core_ports" : "levels",
                         "the core switch would join " + number(sizes.back()) + " switches with " +
                             std::to_string(needed) + " links but has " + number(core_ports) +
                             " ports: use more levels, more ports or a larger core_ports");
  }
  sizes.push_back(1);
  return sizes;
}

void add_tree(Topology& topology, const TreeSpec& t, const SourcePos& where) {
  const std::vector<int> sizes = tree_level_sizes(t, where);
  const bool whole = topology.vertex_count() == 0;
  const int levels = static_cast<int>(sizes.size());
  auto name = [&](int level, int i) {
    if (level == 0) return t.switch_prefix + "leaf" + number(i);
    if (level + 1 == levels) return t.switch_prefix + "core";
    if (levels == 3) return t.switch_prefix + "agg" + number(i);
    return t.switch_prefix + "agg" + number(level) + "-" + number(i);
  };
  hw::SwitchSpec spec = t.switch_spec;
  for (int level = 0; level < levels; ++level) {
    spec.ports = level + 1 == levels && t.core_ports > 0 ? t.core_ports : t.ports;
    for (int i = 0; i < sizes[level]; ++i) topology.add_switch(name(level, i), spec, where);
  }
  const int per_leaf = t.ports - t.uplinks;
  for (int i = 0; i < t.nodes; ++i) {
    std::string node = t.node_prefix + number(i);
    topology.add_node(node, t.node, where);
    topology.add_link(node, name(0, i / per_leaf), t.link, where);
  }
  const int per_aggregation = (t.ports - t.uplinks) / t.uplinks;
  for (int level = 0; level + 1 < levels; ++level) {
    const hw::LinkSpec& up = uplink(t, level);
    const bool below_core = level + 2 == levels;
    for (int i = 0; i < sizes[level]; ++i) {
      const std::string parent = name(level + 1, below_core ? 0 : i / per_aggregation);
      for (int u = 0; u < t.uplinks; ++u) topology.add_link(name(level, i), parent, up, where);
    }
  }
  if (whole) topology.set_bisection_bandwidth(bisection(t, sizes));
}

}  // namespace shardsim::topo
