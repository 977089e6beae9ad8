#include "shardsim/hw/roofline.hpp"

#include <cmath>

#include "shardsim/util/error.hpp"

namespace shardsim::hw {

ComputeCost roofline(const NodeSpec& node, const ComputeWork& work, double streamed) {
  require(streamed >= 0.0 && streamed <= 1.0, "roofline: streamed fraction out of [0, 1]");
  const Bytes from_storage{std::llround(static_cast<double>(work.weight_bytes.count) * streamed)};
  Time memory = transfer_time(work.bytes_read + work.bytes_written - from_storage, node.memory_bandwidth);
  if (from_storage.count > 0) {
    require(node.storage_bandwidth.has_value(), "roofline: streaming from a node without storage");
    memory += transfer_time(from_storage, *node.storage_bandwidth);
  }
  return ComputeCost{
      .flop_time = compute_time(work.flops, node.flop_rate),
      .memory_time = memory,
      .overhead = node.op_overhead,
      .from_storage = from_storage,
  };
}

}  // namespace shardsim::hw
