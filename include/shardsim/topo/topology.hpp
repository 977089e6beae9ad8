#pragma once
// The cluster as a graph: compute nodes and switches are vertices, full-duplex links are edges. Once built,
// seal() computes routes: shortest paths by hop count, then by summed latency (link latencies plus the forwarding
// latency of every vertex crossed). Where several shortest paths tie (a fat-tree, a torus, parallel uplinks),
// route() spreads transfers over all of them by a deterministic hash of the transfer's `flow` (ECMP), so the
// same flow always takes the same path. Boost.Graph does the path search inside topology.cpp and stays out of
// this header.
//
// Routing cost. Routes are computed from "roots": a compute node with a single link starts every route through
// the vertex at its other end (its leaf switch), so all such nodes on one switch share that switch's routes; a
// node with several links (ring, torus) is its own root. With R roots (R = 1 for a star, the number of leaf
// switches for a tree or fat-tree, N for a torus), V vertices, L links, and T tight predecessor links per root
// (V - 1 on a single-path fabric, at most 2L):
//   seal()   O(R * L log V) time (one Dijkstra per root); O(R * (2V + T)) memory, 4 bytes per entry: for every
//            root, every vertex's list of "tight" incoming links (those that end a shortest path from the root).
//            1024 Pis on a tree of 22 leaves: 22 roots, about 0.2 MB; a 32 x 32 torus: 1024 roots, about 12 MB.
//   route()  O(hops): walks back from dst to the root, at each vertex taking the only tight link or, on a tie,
//            the one picked by a hash of (flow, src, dst, vertex); then the source's own link to its root.
// Hop counts assume that no path sums more than 1000 s of latency (one hop outweighs any latency sum).

#include <cstdint>
#include <optional>
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
  // Generators that build a whole topology record its bisection bandwidth: the least total bandwidth (one
  // direction) of the links cut when the compute nodes are split into two halves of floor(N/2) and ceil(N/2).
  // Adding any vertex or link afterwards forgets it (the figure no longer describes the graph).
  void set_bisection_bandwidth(std::optional<ByteRate> bandwidth) { bisection_ = bandwidth; }
  // Checks that no switch has more links than ports and computes routes. Throws InputError naming a switch
  // with too many links, or the first pair of nodes that cannot reach each other.
  void seal();

  bool sealed() const { return sealed_; }
  // The vertex named `name`, if there is one.
  const Vertex* find(const std::string& name) const;
  int node_count() const { return static_cast<int>(node_vertex_.size()); }
  int vertex_count() const { return static_cast<int>(vertices_.size()); }
  int link_count() const { return static_cast<int>(links_.size()); }
  int switch_count() const { return vertex_count() - node_count(); }
  // Links attached to `v`.
  int degree(VertexId v) const { return degree_[v]; }
  // The bisection bandwidth, when the generator that built the whole topology knows it.
  std::optional<ByteRate> bisection_bandwidth() const { return bisection_; }
  // The most links on the route between two compute nodes. Requires sealed().
  int diameter_hops() const;

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
  // Forwarding latency added when a message passes through `v`: the switch's, or for a compute node its node
  // type's `forwarding_latency` (software forwarding; zero unless set).
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
  std::vector<int> degree_;  // links per vertex, kept up to date by add_link
  // Routing roots: node n's routes start at vertex roots_[root_of_[n]], after the directed link first_hop_[n]
  // (-1 when the node is its own root).
  std::vector<VertexId> roots_;
  std::vector<std::int32_t> root_of_;
  std::vector<DirLinkId> first_hop_;
  // Tight predecessor links: for root r and vertex v, tight_[tight_begin_[r * (V + 1) + v] ..
  // tight_begin_[r * (V + 1) + v + 1]) are the directed links u -> v with dist_r(u) + weight = dist_r(v), in
  // increasing DirLinkId order. Offsets index tight_ globally.
  std::vector<std::uint32_t> tight_begin_;
  std::vector<DirLinkId> tight_;
  int diameter_hops_ = 0;
  std::optional<ByteRate> bisection_;
  bool sealed_ = false;
};

}  // namespace shardsim::topo
