#pragma once
// A compute node: what it can hold (RAM), how fast it reads memory and computes (effective, not peak: see
// topologies/ for sourced figures), and the fixed software costs it pays per op and per network message.
// Effective rates are what a real kernel achieves; the roofline in roofline.hpp uses them as given. A matmul's
// arithmetic runs at the rate of its weights' format where the node type gives one (the dot-product kernels of
// llama.cpp and distributed-llama on NEON differ by format: q4_0 x q8_0 is not the FP32 HPL rate), matrix-vector
// (decode) and matrix-matrix (prefill) apart; anything else at flop_rate.
// A node with several NICs may also forward other nodes' messages, at `forwarding_latency` each.

#include <array>
#include <optional>
#include <string>

#include "shardsim/hw/number_format.hpp"
#include "shardsim/hw/power_spec.hpp"

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

// Effective rates of a node's dot-product kernels by the weights' number format; unset: the node's flop_rate.
struct KernelRates {
  std::array<std::optional<FlopRate>, kNumberFormatCount> decode{};   // matrix-vector: one row per sequence
  std::array<std::optional<FlopRate>, kNumberFormatCount> prefill{};  // matrix-matrix: many rows at once
};

struct NodeSpec {
  std::string type;                 // the node type's name, e.g. "pi4-4gb"
  Bytes ram;                        // physical RAM
  Bytes os_reserve;                 // RAM the operating system keeps; the model gets ram - os_reserve
  ByteRate memory_bandwidth;        // effective bytes/s a matmul streams from RAM
  FlopRate flop_rate;               // effective FLOP/s of the whole node (all cores), where no kernel rate applies
  KernelRates kernels;              // per weights' format, all cores
  int cores = 1;                    // an op on fewer threads gets that share of the arithmetic rates
  // How much of a compute op's memory time and arithmetic time overlap: 1, completely (the roofline: the longer of
  // the two); 0, not at all (their sum). In between, the shorter one is hidden by that fraction.
  double compute_memory_overlap = 1.0;
  Time op_overhead;                 // fixed cost of launching one compute op
  Time send_overhead;               // CPU time of the network stack per message sent
  Time recv_overhead;               // CPU time of the network stack per message received
  std::optional<ByteRate> storage_bandwidth;  // sequential read of local storage, if any
  // Software forwarding cost per message passing through this node on its way elsewhere (nodes joined directly
  // to each other, as in a ring or torus, route traffic for their neighbours); zero where nothing passes through.
  Time forwarding_latency;
  PowerSpec power;             // watts idle and busy, when given
  std::optional<Price> price;  // of one board, when given

  Bytes usable_ram() const { return ram - os_reserve; }
  // The arithmetic rate of all cores for weights of `kernel` (none: flop_rate), decode or prefill.
  FlopRate rate(std::optional<NumberFormat> kernel, bool matrix_matrix) const;
};

}  // namespace shardsim::hw
