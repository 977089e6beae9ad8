#include "shardsim/topo/dot.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include "shardsim/topo/summary.hpp"

namespace shardsim::topo {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_index_t, LinkId>>;

struct VertexWriter {
  const Topology* topology;
  template <class V>
  void operator()(std::ostream& out, const V& v) const {
    const Vertex& vertex = topology->vertex(static_cast<VertexId>(v));
    const bool node = std::holds_alternative<hw::NodeSpec>(vertex.spec);
    out << "[label=" << boost::escape_dot_string(vertex.name) << ", shape=" << (node ? "ellipse" : "box") << "]";
  }
};

struct EdgeWriter {
  const Topology* topology;
  const Graph* graph;
  template <class E>
  void operator()(std::ostream& out, const E& e) const {
    const LinkId l = boost::get(boost::edge_index, *graph, e);
    out << "[label=" << boost::escape_dot_string(format_bit_rate(topology->link(l).spec.bandwidth)) << "]";
  }
};

}  // namespace

void write_dot(std::ostream& out, const Topology& topology) {
  Graph g(static_cast<std::size_t>(topology.vertex_count()));
  for (LinkId l = 0; l < topology.link_count(); ++l) {
    boost::add_edge(static_cast<std::size_t>(topology.link(l).a), static_cast<std::size_t>(topology.link(l).b), l, g);
  }
  boost::write_graphviz(out, g, VertexWriter{&topology}, EdgeWriter{&topology, &g});
}

}  // namespace shardsim::topo
