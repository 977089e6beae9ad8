#include "shardsim/hw/node_spec.hpp"

namespace shardsim::hw {

FlopRate NodeSpec::rate(std::optional<NumberFormat> kernel, bool matrix_matrix) const {
  if (!kernel) return flop_rate;
  const auto i = static_cast<std::size_t>(*kernel);
  const std::optional<FlopRate>& r = matrix_matrix ? kernels.prefill[i] : kernels.decode[i];
  return r.value_or(flop_rate);
}

}  // namespace shardsim::hw
