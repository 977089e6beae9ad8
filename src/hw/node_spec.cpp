#include "shardsim/hw/node_spec.hpp"

namespace shardsim::hw {

FlopRate NodeSpec::rate(std::optional<NumberFormat> kernel, bool matrix_matrix) const {
  if (!kernel) return flop_rate;
  const auto i = static_cast<std::size_t>(*kernel);
  const auto& table = matrix_matrix ? kernels.prefill : kernels.decode;
  if (table[i]) return *table[i];
  // A format the node type gives no rate for runs at its nearest kin's rate (number_format.hpp), else flop_rate.
  if (auto kin = kernel_rate_fallback(*kernel)) return table[static_cast<std::size_t>(*kin)].value_or(flop_rate);
  return flop_rate;
}

}  // namespace shardsim::hw
