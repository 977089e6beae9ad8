#include "shardsim/topo/topology.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <limits>

namespace shardsim::topo {
namespace {

// Path weight: hops first, then latency. One hop outweighs any realistic latency sum (1e15 ps = 1000 s).
constexpr std::int64_t kHopWeight = 1'000'000'000'000'000;
constexpr std::int64_t kUnreachable = std::numeric_limits<std::int64_t>::max();

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                    boost::property<boost::edge_weight_t, std::int64_t>>;

// SplitMix64's finalizer: a fixed, well-mixing 64-bit hash (the same on every platform).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

VertexId Topology::add_vertex(std::string name, std::variant<hw::NodeSpec, hw::SwitchSpec> spec, SourcePos where) {
  require(!sealed_, "topology modified after seal()");
  bisection_.reset();
  if (name.empty()) throw InputError(where, "a node or switch needs a non-empty name");
  auto [it, inserted] = by_name_.emplace(name, static_cast<VertexId>(vertices_.size()));
  if (!inserted) {
    throw InputError(where, "duplicate name '" + name + "' (first declared at " +
                                to_string(vertices_[it->second].declared_at) + ")");
  }
  vertices_.push_back(Vertex{std::move(name), std::move(spec), std::move(where)});
  degree_.push_back(0);
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
  ++degree_[va];
  ++degree_[vb];
  bisection_.reset();
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
  return std::get<hw::NodeSpec>(vertices_[v].spec).forwarding_latency;
}

int Topology::diameter_hops() const {
  require(sealed_, "diameter_hops() before seal()");
  return diameter_hops_;
}

void Topology::seal() {
  require(!sealed_, "seal() called twice");
  // Ports: a switch with more links than ports cannot be cabled.
  for (VertexId v = 0; v < vertex_count(); ++v) {
    const auto* s = std::get_if<hw::SwitchSpec>(&vertices_[v].spec);
    if (!s || s->ports <= 0 || degree_[v] <= s->ports) continue;
    // The first link that finds no free port: the (ports + 1)-th attached, in declaration order.
    LinkId extra = 0;
    for (int seen = 0; seen <= s->ports; ++extra) {
      if (links_[extra].a == v || links_[extra].b == v) ++seen;
    }
    --extra;
    throw InputError(vertices_[v].declared_at,
                     "switch '" + vertices_[v].name + "' has " + std::to_string(degree_[v]) + " links but only " +
                         std::to_string(s->ports) + " ports (link " + std::to_string(s->ports + 1) + ", " +
                         vertices_[links_[extra].a].name + " - " + vertices_[links_[extra].b].name +
                         " declared at " + to_string(links_[extra].declared_at) + ", has no port left)");
  }

  const auto nv = static_cast<std::size_t>(vertices_.size());
  const auto nn = static_cast<std::size_t>(node_count());
  // Roots: a node with one link routes from the vertex at its other end.
  std::vector<DirLinkId> only_link(nv, -1);  // for vertices of degree 1: the directed link leaving them
  for (LinkId l = 0; l < link_count(); ++l) {
    only_link[static_cast<std::size_t>(links_[l].a)] = 2 * l;
    only_link[static_cast<std::size_t>(links_[l].b)] = 2 * l + 1;
  }
  roots_.clear();
  root_of_.assign(nn, -1);
  first_hop_.assign(nn, -1);
  std::vector<std::int32_t> root_index(nv, -1);
  for (NodeId n = 0; n < node_count(); ++n) {
    VertexId root = node_vertex_[n];
    if (degree_[root] == 1) {
      first_hop_[n] = only_link[static_cast<std::size_t>(root)];
      root = dir_link_head(first_hop_[n]);
    }
    if (root_index[root] < 0) {
      root_index[root] = static_cast<std::int32_t>(roots_.size());
      roots_.push_back(root);
    }
    root_of_[n] = root_index[root];
  }
  const auto nr = roots_.size();
  if (nr * (nv + 1) > (std::size_t{1} << 27)) {
    throw InputError(vertices_[node_vertex_[0]].declared_at,
                     "the topology is too large to route: " + std::to_string(nr) + " routing roots x " +
                         std::to_string(nv) + " vertices (at most 2^27 entries, about 1 GB)");
  }

  // The weight of a directed link: one hop, its latency, and the forwarding latency of the vertex it enters (for
  // the destination that is the same on every path, so it never changes which paths tie).
  const auto n_dir = static_cast<std::size_t>(2 * link_count());
  std::vector<std::int64_t> weight(n_dir);
  Graph g(nv);
  for (DirLinkId d = 0; d < static_cast<DirLinkId>(n_dir); ++d) {
    weight[d] = kHopWeight + links_[d / 2].spec.latency.ps + forwarding_latency(dir_link_head(d)).ps;
    boost::add_edge(static_cast<std::size_t>(dir_link_tail(d)), static_cast<std::size_t>(dir_link_head(d)),
                    weight[d], g);
  }

  tight_begin_.assign(nr * (nv + 1), 0);
  tight_.clear();
  diameter_hops_ = 0;
  std::vector<std::int64_t> dist(nv);
  std::vector<std::uint32_t> count(nv);
  for (std::size_t r = 0; r < nr; ++r) {
    boost::dijkstra_shortest_paths(
        g, static_cast<std::size_t>(roots_[r]),
        boost::distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)))
            .distance_inf(kUnreachable));
    // Every node must reach every other; the longest route sets the diameter. The nodes routed from this root
    // share its distances, so two passes over the nodes suffice: the farthest node (and the runner-up, for the
    // source that is itself the farthest), then each source's longest route.
    std::size_t first_src = nn;
    for (std::size_t n = 0; n < nn; ++n) {
      if (static_cast<std::size_t>(root_of_[n]) == r && first_src == nn) first_src = n;
    }
    NodeId farthest = -1;
    std::int64_t far = -1, runner_up = -1;
    for (NodeId dst = 0; dst < node_count(); ++dst) {
      const std::int64_t d = dist[static_cast<std::size_t>(node_vertex_[dst])];
      if (d == kUnreachable) {
        throw InputError(vertices_[node_vertex_[dst]].declared_at,
                         "node '" + node_name(dst) + "' cannot be reached from node '" +
                             node_name(static_cast<NodeId>(first_src)) + "': no path of links joins them");
      }
      if (d > far) {
        runner_up = far;
        far = d;
        farthest = dst;
      } else if (d > runner_up) {
        runner_up = d;
      }
    }
    for (NodeId src = 0; src < node_count(); ++src) {
      if (static_cast<std::size_t>(root_of_[src]) != r) continue;
      const std::int64_t longest = src == farthest ? runner_up : far;  // over dst != src
      if (longest < 0) continue;                                      // a single node
      const int hops = static_cast<int>(longest / kHopWeight) + (first_hop_[src] >= 0 ? 1 : 0);
      diameter_hops_ = std::max(diameter_hops_, hops);
    }
    // A directed link t -> h is tight when a shortest path from the root to h may end with it. Two passes: count
    // per head, then fill in DirLinkId order, so each vertex's list is sorted.
    auto tight = [&](DirLinkId d) {
      const std::int64_t from = dist[static_cast<std::size_t>(dir_link_tail(d))];
      return from != kUnreachable && from + weight[d] == dist[static_cast<std::size_t>(dir_link_head(d))];
    };
    std::fill(count.begin(), count.end(), 0);
    for (DirLinkId d = 0; d < static_cast<DirLinkId>(n_dir); ++d) {
      if (tight(d)) ++count[static_cast<std::size_t>(dir_link_head(d))];
    }
    std::uint32_t* begin = tight_begin_.data() + r * (nv + 1);
    std::size_t next = tight_.size();
    for (std::size_t v = 0; v < nv; ++v) {
      begin[v] = static_cast<std::uint32_t>(next);
      next += count[v];
    }
    if (next > (std::size_t{1} << 28)) {
      throw InputError(vertices_[node_vertex_[0]].declared_at,
                       "the topology is too large to route: more than 2^28 tight links in its routing tables");
    }
    begin[nv] = static_cast<std::uint32_t>(next);
    tight_.resize(next);
    for (std::size_t v = 0; v < nv; ++v) count[v] = begin[v];  // reused as fill positions
    for (DirLinkId d = 0; d < static_cast<DirLinkId>(n_dir); ++d) {
      if (tight(d)) tight_[count[static_cast<std::size_t>(dir_link_head(d))]++] = d;
    }
  }
  tight_.shrink_to_fit();
  sealed_ = true;
}

void Topology::route(NodeId src, NodeId dst, std::vector<DirLinkId>& out, std::uint64_t flow) const {
  require(sealed_, "route() before seal()");
  out.clear();
  if (src == dst) return;
  const auto nv = static_cast<std::size_t>(vertices_.size());
  const auto r = static_cast<std::size_t>(root_of_[src]);
  const std::uint32_t* begin = tight_begin_.data() + r * (nv + 1);
  // Ties are broken per vertex by a hash of the flow and the pair, so one flow keeps one path and different
  // flows (or pairs) spread over every equal-cost path.
  const std::uint64_t key =
      mix(mix(flow) ^ (static_cast<std::uint64_t>(src) << 32 | static_cast<std::uint32_t>(dst)));
  for (VertexId v = node_vertex_[dst]; v != roots_[r];) {
    const std::uint32_t b = begin[v];
    const std::uint32_t n = begin[v + 1] - b;
    require(n > 0, "route: missing predecessor");
    const auto pick = n == 1 ? 0 : static_cast<std::uint32_t>(mix(key ^ static_cast<std::uint64_t>(v)) % n);
    const DirLinkId d = tight_[b + pick];
    out.push_back(d);
    v = dir_link_tail(d);
  }
  if (first_hop_[src] >= 0) out.push_back(first_hop_[src]);
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
