#pragma once
// The cost of one compute op on a node, by the roofline model: the op is bound either by arithmetic
// (flops / flop_rate) or by memory traffic (bytes touched / memory_bandwidth), whichever is slower,
// plus the node's fixed per-op overhead. Bytes touched = bytes read + bytes written.
// When a node's share of the weights exceeds its usable RAM, the part that fits stays resident and the rest is
// read from storage at every use: a fraction `streamed` of the op's weight bytes then comes from storage, at
// storage_bandwidth, instead of from RAM (and counts toward the memory-side time).

#include "shardsim/hw/node_spec.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct ComputeWork {
  Flop flops;
  Bytes bytes_read;     // weights and inputs streamed from RAM
  Bytes bytes_written;  // outputs written to RAM
  Bytes weight_bytes;   // the part of bytes_read that is weights (what may have to come from storage)
};

struct ComputeCost {
  Time flop_time;    // flops / flop_rate
  Time memory_time;  // RAM bytes / memory_bandwidth + storage bytes / storage_bandwidth
  Time overhead;     // the node's op_overhead
  Bytes from_storage;  // weight bytes read from storage
  bool memory_bound() const { return memory_time > flop_time; }
  Time total() const { return (memory_bound() ? memory_time : flop_time) + overhead; }
};

// `streamed` in [0, 1]: the fraction of the op's weight bytes read from storage (0 when everything fits). A node
// without storage cannot stream: callers pass 0 there and report that the model does not fit.
ComputeCost roofline(const NodeSpec& node, const ComputeWork& work, double streamed = 0.0);

}  // namespace shardsim::hw
