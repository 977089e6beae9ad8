#pragma once
// A short text description of a sealed topology, as `shardsim topo` prints it: compute nodes (by type), switches
// (the one with the most links, against its ports), links (by bandwidth), diameter (the most links on a route
// between two compute nodes) and bisection bandwidth (one direction; "unknown" unless a generator built the whole
// topology and knows it). Bandwidths are shown in bit/s, as network hardware is sold.

#include <string>

#include "shardsim/topo/topology.hpp"

namespace shardsim::topo {

// Lines of "  label      value", each ending in '\n'. Requires topology.sealed().
std::string summary(const Topology& topology);

// "1 Gbit/s", "2.5 Gbit/s", "16 Gbit/s", "941.176 Mbit/s": bits per second, up to three decimals, trailing zeros
// dropped.
std::string format_bit_rate(ByteRate rate);

}  // namespace shardsim::topo
