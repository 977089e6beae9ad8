#pragma once
// The topology as a Graphviz DOT graph (undirected: one `--` edge per link), written with Boost.Graph's
// write_graphviz. Vertices are labelled with their names (compute nodes as ellipses, switches as boxes), edges with
// the link's bandwidth per direction. Render with e.g. `shardsim topo FILE --dot | dot -Tsvg > topo.svg` (or
// `neato`/`sfdp` for tori and large trees).

#include <ostream>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

void write_dot(std::ostream& out, const Topology& topology);

}  // namespace shardsim::topo
