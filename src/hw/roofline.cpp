#include "shardsim/hw/roofline.hpp"

#include <algorithm>
#include <cmath>

#include "shardsim/util/error.hpp"

namespace shardsim::hw {

ComputeCost roofline(const NodeSpec& node, const ComputeWork& work, Streamed streamed) {
  require(streamed.weights >= 0.0 && streamed.weights <= 1.0 && streamed.kv_cache >= 0.0 && streamed.kv_cache <= 1.0,
          "roofline: streamed fraction out of [0, 1]");
  const Bytes from_storage =
      Bytes{std::llround(static_cast<double>(work.weight_bytes.count) * streamed.weights)} +
      Bytes{std::llround(static_cast<double>(work.kv_cache_bytes.count) * streamed.kv_cache)};
  Time memory = transfer_time(work.bytes_read + work.bytes_written - from_storage, node.memory_bandwidth);
  if (from_storage.count > 0) {
    require(node.storage_bandwidth.has_value(), "roofline: streaming from a node without storage");
    memory += transfer_time(from_storage, *node.storage_bandwidth);
  }
  FlopRate rate = node.rate(work.kernel, work.rows > 1);
  if (work.threads > 0 && work.threads < node.cores) {
    rate.per_second *= static_cast<double>(work.threads) / static_cast<double>(node.cores);
  }
  const Time flop = compute_time(work.flops, rate);
  const Time shorter = std::min(flop, memory);
  return ComputeCost{
      .flop_time = flop,
      .memory_time = memory,
      .overhead = node.op_overhead * work.tasks,
      .from_storage = from_storage,
      .exposed = Time::from_ps(std::llround((1.0 - node.compute_memory_overlap) * static_cast<double>(shorter.ps))),
  };
}

}  // namespace shardsim::hw
