#pragma once
// A compute node: what it can hold (RAM), how fast it reads memory and computes (effective, not peak: see
// topologies/ for sourced figures), and the fixed software costs it pays per op and per network message.
// Effective rates are what a real kernel achieves; the roofline in roofline.hpp uses them as given.
// A node with several NICs may also forward other nodes' messages, at `forwarding_latency` each.

#include <optional>
#include <string>

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct NodeSpec {
  std::string type;                 // the node type's name, e.g. "pi4-4gb"
  Bytes ram;                        // physical RAM
  Bytes os_reserve;                 // RAM the operating system keeps; the model gets ram - os_reserve
  ByteRate memory_bandwidth;        // effective bytes/s a matmul streams from RAM
  FlopRate flop_rate;               // effective FLOP/s of the whole node (all cores)
  Time op_overhead;                 // fixed cost of launching one compute op
  Time send_overhead;               // CPU time of the network stack per message sent
  Time recv_overhead;               // CPU time of the network stack per message received
  std::optional<ByteRate> storage_bandwidth;  // sequential read of local storage, if any
  // Software forwarding cost per message passing through this node on its way elsewhere (nodes joined directly
  // to each other, as in a ring or torus, route traffic for their neighbours); zero where nothing passes through.
  Time forwarding_latency;

  Bytes usable_ram() const { return ram - os_reserve; }
};

}  // namespace shardsim::hw
