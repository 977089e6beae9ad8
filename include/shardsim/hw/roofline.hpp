#pragma once
// The cost of one compute op on a node, by the roofline model: the op is bound either by arithmetic
// (flops / the node's rate for the op's kernel, node_spec.hpp) or by memory traffic (bytes touched /
// memory_bandwidth), whichever is slower; the shorter of the two adds (1 - compute_memory_overlap) of itself (0 on a
// node whose overlap is 1, the plain roofline); plus the node's fixed per-op overhead for each runtime task the op
// stands for. Bytes touched = bytes read + bytes written. An op on fewer threads than the node has cores gets that
// share of the arithmetic rate; memory bandwidth is the node's whatever the threads (one streaming core reaches most
// of it on the boards shardsim targets: 9.3 of 11.6 GB/s on a Pi 5, 4.4 GB/s on a Pi 4, hardware.md §2).
// When a node's share of the weights exceeds its usable RAM, the part that fits stays resident and the rest is
// read from storage at every use: a fraction of the op's weight bytes then comes from storage, at
// storage_bandwidth, instead of from RAM (and counts toward the memory-side time). A KV cache that does not fit is
// handled alike: the fraction of it beyond RAM is read from storage by the attention ops that read the cache.

#include <cstdint>
#include <optional>

#include "shardsim/hw/node_spec.hpp"
#include "shardsim/hw/number_format.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct ComputeWork {
  Flop flops{};
  Bytes bytes_read{};     // weights and inputs streamed from RAM
  Bytes bytes_written{};  // outputs written to RAM
  Bytes weight_bytes{};   // the part of bytes_read that is weights (what may have to come from storage)
  std::optional<NumberFormat> kernel{};  // a matmul's weights' format, which picks the node's kernel rate
  std::int64_t rows = 1;   // rows multiplied at once: more than one runs at the node's prefill (matrix-matrix) rate
  int threads = 0;         // threads it runs on; 0: every core
  std::int64_t tasks = 1;  // runtime tasks it stands for, each paying the node's op_overhead
  Bytes kv_cache_bytes{};  // the part of bytes_read that is the KV cache (what may have to come from storage)
};

// The fractions of a node's weights and of its KV cache that do not fit in its usable RAM and are read from
// storage at every use (plan/memory_fit.hpp decides them); each in [0, 1], 0 when everything fits.
struct Streamed {
  double weights = 0.0;
  double kv_cache = 0.0;
};

struct ComputeCost {
  Time flop_time;    // flops / the kernel's rate (scaled to the op's threads)
  Time memory_time;  // RAM bytes / memory_bandwidth + storage bytes / storage_bandwidth
  Time overhead;     // the node's op_overhead, once per task
  Bytes from_storage;  // weight and KV cache bytes read from storage
  Time exposed;      // the part of the shorter of flop_time and memory_time that does not overlap the longer
  bool memory_bound() const { return memory_time > flop_time; }
  Time total() const { return (memory_bound() ? memory_time : flop_time) + exposed + overhead; }
};

// `streamed`: the fractions of the op's weight bytes and KV cache bytes read from storage (0 when everything
// fits). A node without storage cannot stream: callers pass 0 there and report that the model does not fit.
ComputeCost roofline(const NodeSpec& node, const ComputeWork& work, Streamed streamed = {});

}  // namespace shardsim::hw
