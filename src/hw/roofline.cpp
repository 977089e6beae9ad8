#include "shardsim/hw/roofline.hpp"

namespace shardsim::hw {

ComputeCost roofline(const NodeSpec& node, const ComputeWork& work) {
  return ComputeCost{
      .flop_time = compute_time(work.flops, node.flop_rate),
      .memory_time = transfer_time(work.bytes_read + work.bytes_written, node.memory_bandwidth),
      .overhead = node.op_overhead,
  };
}

}  // namespace shardsim::hw
