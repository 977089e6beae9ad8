#pragma once
// The cluster as a graph: compute nodes and switches are vertices, full-duplex links are edges. Once built,
// seal() computes every node-to-node route (shortest by hop count, then by summed link latency; ties go to the
// link declared first, so routes are deterministic) and checks that every node reaches every other.
// Boost.Graph does the path search inside topology.cpp and stays out of this header.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "shardsim/hw/link_spec.hpp"
#include "shardsim/hw/node_spec.hpp"
#include "shardsim/hw/switch_spec.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::topo {

using NodeId = std::int32_t;    // index among compute nodes, in declaration order
using VertexId = std::int32_t;  // index among all vertices (nodes and switches)
using LinkId = std::int32_t;    // index among links, in declaration order
// One direction of a link: 2 * link for a -> b, 2 * link + 1 for b -> a.
using DirLinkId = std::int32_t;

struct Vertex {
  std::string name;
  std::variant<hw::NodeSpec, hw::SwitchSpec> spec;
  SourcePos declared_at;
};

struct Link {
  VertexId a = 0;
  VertexId b = 0;
  hw::LinkSpec spec;
  SourcePos declared_at;
};

class Topology {
 public:
  // Building. Names must be unique among all vertices; errors name the position given.
  NodeId add_node(std::string name, hw::NodeSpec spec, SourcePos where);
  VertexId add_switch(std::string name, hw::SwitchSpec spec, SourcePos where);
  LinkId add_link(const std::string& a, const std::string& b, hw::LinkSpec spec, SourcePos where);
  // Computes routes. Throws InputError naming the first pair of nodes that cannot reach each other.
  void seal();

  bool sealed() const { return sealed_; }
  // The vertex named `name`, if there is one.
  const Vertex* find(const std::string& name) const;
  int node_count() const { return static_cast<int>(node_vertex_.size()); }
  int vertex_count() const { return static_cast<int>(vertices_.size()); }
  int link_count() const { return static_cast<int>(links_.size()); }
  int switch_count() const { return vertex_count() - node_count(); }

  const hw::NodeSpec& node(NodeId n) const;
  const std::string& node_name(NodeId n) const { return vertices_[node_vertex_[n]].name; }
  VertexId node_vertex(NodeId n) const { return node_vertex_[n]; }
  const Vertex& vertex(VertexId v) const { return vertices_[v]; }
  const Link& link(LinkId l) const { return links_[l]; }
  const hw::LinkSpec& dir_link_spec(DirLinkId d) const { return links_[d / 2].spec; }
  // The vertex a directed link leads to, and the one it leaves.
  VertexId dir_link_head(DirLinkId d) const { return d % 2 == 0 ? links_[d / 2].b : links_[d / 2].a; }
  VertexId dir_link_tail(DirLinkId d) const { return d % 2 == 0 ? links_[d / 2].a : links_[d / 2].b; }
  std::string dir_link_name(DirLinkId d) const;
  // Forwarding latency added when a message passes through `v` (zero for compute nodes).
  Time forwarding_latency(VertexId v) const;

  // The directed links from `src` to `dst`, in order (empty when src == dst). Requires sealed(). `flow` identifies
  // the transfer: where several shortest paths exist, flows are spread over them by a deterministic hash of it.
  void route(NodeId src, NodeId dst, std::vector<DirLinkId>& out, std::uint64_t flow = 0) const;
  // Sum of latencies and forwarding delays along the route, without any serialization.
  Time route_latency(NodeId src, NodeId dst) const;

 private:
  VertexId add_vertex(std::string name, std::variant<hw::NodeSpec, hw::SwitchSpec> spec, SourcePos where);

  std::vector<Vertex> vertices_;
  std::vector<Link> links_;
  std::vector<VertexId> node_vertex_;
  std::unordered_map<std::string, VertexId> by_name_;
  // pred_[src * vertex_count() + v]: the directed link by which the route from node src reaches v (-1: none).
  std::vector<DirLinkId> pred_;
  bool sealed_ = false;
};

}  // namespace shardsim::topo
