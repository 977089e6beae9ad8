#include "grid.hpp"

#include <algorithm>

#include "shardsim/topo/parameter_error.hpp"

namespace shardsim::topo::detail {

// Checks the sizes of a torus or mesh: 2 or 3 of them, each at least 2, a million nodes at most.
void check_dims(const std::vector<int>& dims, const SourcePos& where) {
  if (dims.size() != 2 && dims.size() != 3) {
    throw ParameterError(where, "dims",
                         "expected 2 or 3 sizes ([4, 4] or [4, 4, 4]), got " + std::to_string(dims.size()));
  }
  long long count = 1;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] < 2) {
      throw ParameterError(where, "dims",
                           "every size must be at least 2, got " + std::to_string(dims[d]) + " for dimension " +
                               std::to_string(d));
    }
    count *= dims[d];
    if (count > 1'000'000) throw ParameterError(where, "dims", "more than 1000000 nodes");
  }
}


void add_grid(Topology& topology, const std::vector<int>& dims, bool wrap, const std::string& node_prefix,
              const hw::NodeSpec& node, const hw::LinkSpec& link, const SourcePos& where) {
  const bool whole = topology.vertex_count() == 0;
  int count = 1;
  for (int d : dims) count *= d;
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    names.push_back(node_prefix + std::to_string(i));
    topology.add_node(names.back(), node, where);
  }
  // stride[d]: how far apart in index two neighbours along dimension d are.
  std::vector<int> stride(dims.size(), 1);
  for (std::size_t d = dims.size(); d-- > 1;) stride[d - 1] = stride[d] * dims[d];
  for (int i = 0; i < count; ++i) {
    for (std::size_t d = 0; d < dims.size(); ++d) {
      const int x = i / stride[d] % dims[d];
      if (x + 1 < dims[d]) {
        topology.add_link(names[i], names[i + stride[d]], link, where);
      } else if (wrap && dims[d] > 2) {
        topology.add_link(names[i], names[i - x * stride[d]], link, where);
      }
    }
  }
  const int largest = *std::max_element(dims.begin(), dims.end());
  if (whole && count >= 2 && largest % 2 == 0) {
    const int per_line = wrap && largest > 2 ? 2 : 1;
    topology.set_bisection_bandwidth(ByteRate{link.bandwidth.per_second * (count / largest) * per_line});
  }
}

}  // namespace shardsim::topo::detail
