#pragma once
// The cost of one compute op on a node, by the roofline model: the op is bound either by arithmetic
// (flops / flop_rate) or by memory traffic (bytes touched / memory_bandwidth), whichever is slower,
// plus the node's fixed per-op overhead. Bytes touched = bytes read + bytes written.

#include "shardsim/hw/node_spec.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct ComputeWork {
  Flop flops;
  Bytes bytes_read;     // weights and inputs streamed from RAM
  Bytes bytes_written;  // outputs written to RAM
};

struct ComputeCost {
  Time flop_time;    // flops / flop_rate
  Time memory_time;  // (bytes_read + bytes_written) / memory_bandwidth
  Time overhead;     // the node's op_overhead
  bool memory_bound() const { return memory_time > flop_time; }
  Time total() const { return (memory_bound() ? memory_time : flop_time) + overhead; }
};

ComputeCost roofline(const NodeSpec& node, const ComputeWork& work);

}  // namespace shardsim::hw
