#pragma once
// A small mixed cluster for the tests of heterogeneous plans and of search: two 4 GiB boards at 5 GB/s (pi0, pi1)
// and a 16 GiB desktop at 35 GB/s (desk), declared in that order, each on a 1 Gbit/s link to one switch.

#include <string>

namespace shardsim::testing {

inline std::string mixed_nodes_topology() {
  return R"([node_types.big]
ram = "16 GiB"
memory_bandwidth = "35 GB/s"
flop_rate = "500 GFLOP/s"
[node_types.small]
ram = "4 GiB"
memory_bandwidth = "5 GB/s"
flop_rate = "30 GFLOP/s"
[[switches]]
name = "sw"
[[nodes]]
name = "pi0"
type = "small"
[[nodes]]
name = "pi1"
type = "small"
[[nodes]]
name = "desk"
type = "big"
[[links]]
a = "pi0"
b = "sw"
bandwidth = "1 Gbit/s"
[[links]]
a = "pi1"
b = "sw"
bandwidth = "1 Gbit/s"
[[links]]
a = "desk"
b = "sw"
bandwidth = "1 Gbit/s"
)";
}

}  // namespace shardsim::testing
