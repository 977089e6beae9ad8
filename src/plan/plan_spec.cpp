#include "shardsim/plan/plan_spec.hpp"

#include "shardsim/plan/partition.hpp"

#include <algorithm>
#include <variant>

namespace shardsim::plan {

std::vector<topo::NodeId> read_use(KeyReader& keys, const topo::Topology& topology) {
  const std::optional<std::vector<std::string>> names = keys.strings("use");
  if (!names) return {};
  if (names->empty()) keys.fail("use", "expected at least one node name");
  std::vector<topo::NodeId> out;
  for (const std::string& name : *names) {
    topo::NodeId found = -1;
    for (topo::NodeId n = 0; n < topology.node_count() && found < 0; ++n) {
      if (topology.node_name(n) == name) found = n;
    }
    if (found < 0) keys.fail("use", "'" + name + "' is not a compute node of the topology");
    if (std::find(out.begin(), out.end(), found) != out.end()) keys.fail("use", "'" + name + "' is named twice");
    out.push_back(found);
  }
  return out;
}

std::int64_t available_nodes(const topo::Topology& topology, const PlanSpec& spec) {
  return spec.use.empty() ? topology.node_count() : static_cast<std::int64_t>(spec.use.size());
}

std::vector<double> read_split_weights(KeyReader& keys, const topo::Topology& topology, const PlanSpec& spec,
                                       int parts, int ranks_per_part, const std::string& part_name) {
  const std::string split = keys.string("split").value_or("even");
  if (split == "even") return {};
  std::vector<double> weights;
  if (split == "memory" || split == "speed") {
    for (int part = 0; part < parts; ++part) {
      double least = 0;
      for (int r = 0; r < ranks_per_part; ++r) {
        const hw::NodeSpec& node = topology.node(node_of_rank(spec, part * ranks_per_part + r));
        const double w = split == "memory" ? static_cast<double>(node.usable_ram().count)
                                           : node.memory_bandwidth.per_second;
        least = r == 0 ? w : std::min(least, w);
      }
      weights.push_back(least);
    }
    return weights;
  }
  const std::optional<std::vector<double>> given = parse_weights(split);
  if (!given) {
    keys.fail("split", "expected \"even\", \"memory\", \"speed\" or positive weights, one per " + part_name +
                           ", as \"3,1\"; got '" + split + "'");
  }
  weights = *given;
  if (static_cast<int>(weights.size()) != parts) {
    keys.fail("split", std::to_string(weights.size()) + " weights for " + std::to_string(parts) + " " +
                           part_name + "s");
  }
  return weights;
}

int read_nodes(KeyReader& keys, std::int64_t fallback, std::int64_t most, std::int64_t available,
               const std::string& why) {
  const std::int64_t nodes = keys.integer("nodes").value_or(fallback);
  if (nodes < 1 || nodes > most) {
    if (why.empty()) {
      keys.fail("nodes", "must be between 1 and " + std::to_string(most) +
                             " (the compute nodes available: the topology's, or those plan.use names)");
    }
    keys.fail("nodes", "must be between 1 and " + std::to_string(most) + " (the topology has " +
                           std::to_string(available) + " compute nodes and " + why + "), got " +
                           std::to_string(nodes));
  }
  return static_cast<int>(nodes);
}

std::vector<int> attachment_groups(const topo::Topology& topology, int nodes) {
  std::vector<topo::NodeId> members;
  for (topo::NodeId n = 0; n < nodes; ++n) members.push_back(n);
  return attachment_groups(topology, members);
}

std::vector<int> attachment_groups(const topo::Topology& topology, const std::vector<topo::NodeId>& members) {
  // The first link declared at each node decides; nodes with no switch neighbour form groups of their own.
  std::vector<int> group(static_cast<std::size_t>(topology.vertex_count()), -1);
  for (topo::LinkId l = 0; l < topology.link_count(); ++l) {
    const topo::Link& link = topology.link(l);
    for (auto [end, other] : {std::pair{link.a, link.b}, std::pair{link.b, link.a}}) {
      const bool is_switch = std::holds_alternative<hw::SwitchSpec>(topology.vertex(other).spec);
      if (group[static_cast<std::size_t>(end)] < 0 && is_switch) group[static_cast<std::size_t>(end)] = other;
    }
  }
  std::vector<int> out;
  for (const topo::NodeId n : members) {
    const topo::VertexId v = topology.node_vertex(n);
    out.push_back(group[static_cast<std::size_t>(v)] >= 0 ? group[static_cast<std::size_t>(v)] : v);
  }
  return out;
}

}  // namespace shardsim::plan
