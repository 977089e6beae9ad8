#include "shardsim/topo/topology.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <limits>

namespace shardsim::topo {
namespace {

// Path weight: hops first, then latency. One hop outweighs any realistic latency sum (1e15 ps = 1000 s).
constexpr std::int64_t kHopWeight = 1'000'000'000'000'000;

struct EdgeProps {
  std::int64_t weight = 0;
  DirLinkId dir_link = 0;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeProps>;

// Records, for every vertex, the directed link by which its shortest path arrives. Boost calls it on every
// relaxed edge, so the last call per vertex is its final predecessor.
struct PredecessorRecorder : boost::base_visitor<PredecessorRecorder> {
  using event_filter = boost::on_edge_relaxed;
  DirLinkId* pred = nullptr;
  void operator()(Graph::edge_descriptor e, const Graph& graph) const { pred[boost::target(e, graph)] = graph[e].dir_link; }
};

}  // namespace

VertexId Topology::add_vertex(std::string name, std::variant<hw::NodeSpec, hw::SwitchSpec> spec, SourcePos where) {
  require(!sealed_, "topology modified after seal()");
  if (name.empty()) throw InputError(where, "a node or switch needs a non-empty name");
  auto [it, inserted] = by_name_.emplace(name, static_cast<VertexId>(vertices_.size()));
  if (!inserted) {
    throw InputError(where, "duplicate name '" + name + "' (first declared at " +
                                to_string(vertices_[it->second].declared_at) + ")");
  }
  vertices_.push_back(Vertex{std::move(name), std::move(spec), std::move(where)});
  return static_cast<VertexId>(vertices_.size() - 1);
}

NodeId Topology::add_node(std::string name, hw::NodeSpec spec, SourcePos where) {
  VertexId v = add_vertex(std::move(name), std::move(spec), std::move(where));
  node_vertex_.push_back(v);
  return static_cast<NodeId>(node_vertex_.size() - 1);
}

VertexId Topology::add_switch(std::string name, hw::SwitchSpec spec, SourcePos where) {
  return add_vertex(std::move(name), spec, std::move(where));
}

LinkId Topology::add_link(const std::string& a, const std::string& b, hw::LinkSpec spec, SourcePos where) {
  require(!sealed_, "topology modified after seal()");
  auto find = [&](const std::string& name) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) throw InputError(where, "link end '" + name + "' is not a declared node or switch");
    return it->second;
  };
  VertexId va = find(a);
  VertexId vb = find(b);
  if (va == vb) throw InputError(where, "link joins '" + a + "' to itself");
  if (spec.bandwidth.per_second <= 0) throw InputError(where, "link bandwidth must be positive");
  if (spec.latency < Time{}) throw InputError(where, "link latency must not be negative");
  links_.push_back(Link{va, vb, spec, std::move(where)});
  return static_cast<LinkId>(links_.size() - 1);
}

const Vertex* Topology::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &vertices_[it->second];
}

const hw::NodeSpec& Topology::node(NodeId n) const {
  return std::get<hw::NodeSpec>(vertices_[node_vertex_[n]].spec);
}

std::string Topology::dir_link_name(DirLinkId d) const {
  return vertices_[dir_link_tail(d)].name + "->" + vertices_[dir_link_head(d)].name;
}

Time Topology::forwarding_latency(VertexId v) const {
  if (const auto* s = std::get_if<hw::SwitchSpec>(&vertices_[v].spec)) return s->forwarding_latency;
  return Time{};
}

void Topology::seal() {
  require(!sealed_, "seal() called twice");
  const auto nv = static_cast<std::size_t>(vertices_.size());
  Graph g(nv);
  // Edges are added in link declaration order; Dijkstra only replaces a predecessor on a strictly shorter
  // path, so among equal paths the one found first (earliest declared links) wins, deterministically.
  for (LinkId l = 0; l < link_count(); ++l) {
    const Link& link = links_[l];
    const std::int64_t w = kHopWeight + link.spec.latency.ps;
    boost::add_edge(static_cast<std::size_t>(link.a), static_cast<std::size_t>(link.b), EdgeProps{w, 2 * l}, g);
    boost::add_edge(static_cast<std::size_t>(link.b), static_cast<std::size_t>(link.a), EdgeProps{w, 2 * l + 1}, g);
  }
  pred_.assign(static_cast<std::size_t>(node_count()) * nv, -1);
  std::vector<std::int64_t> dist(nv);
  for (NodeId src = 0; src < node_count(); ++src) {
    DirLinkId* pred = pred_.data() + static_cast<std::size_t>(src) * nv;
    boost::dijkstra_shortest_paths(
        g, static_cast<std::size_t>(node_vertex_[src]),
        boost::weight_map(boost::get(&EdgeProps::weight, g))
            .distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)))
            .distance_inf(std::numeric_limits<std::int64_t>::max())
            .visitor(boost::make_dijkstra_visitor(PredecessorRecorder{{}, pred})));
    for (NodeId dst = 0; dst < node_count(); ++dst) {
      if (dist[static_cast<std::size_t>(node_vertex_[dst])] == std::numeric_limits<std::int64_t>::max()) {
        throw InputError(vertices_[node_vertex_[dst]].declared_at,
                         "node '" + node_name(dst) + "' cannot be reached from node '" + node_name(src) +
                             "': no path of links joins them");
      }
    }
  }
  sealed_ = true;
}

void Topology::route(NodeId src, NodeId dst, std::vector<DirLinkId>& out, std::uint64_t /*flow*/) const {
  require(sealed_, "route() before seal()");
  out.clear();
  const auto nv = static_cast<std::size_t>(vertices_.size());
  const DirLinkId* pred = pred_.data() + static_cast<std::size_t>(src) * nv;
  const VertexId from = node_vertex_[src];
  for (VertexId v = node_vertex_[dst]; v != from;) {
    DirLinkId d = pred[v];
    require(d >= 0, "route: missing predecessor");
    out.push_back(d);
    v = dir_link_tail(d);
  }
  std::reverse(out.begin(), out.end());
}

Time Topology::route_latency(NodeId src, NodeId dst) const {
  std::vector<DirLinkId> path;
  route(src, dst, path);
  Time t{};
  for (std::size_t i = 0; i < path.size(); ++i) {
    t += dir_link_spec(path[i]).latency;
    if (i + 1 < path.size()) t += forwarding_latency(dir_link_head(path[i]));
  }
  return t;
}

}  // namespace shardsim::topo
