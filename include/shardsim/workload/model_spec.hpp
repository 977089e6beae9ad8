#pragma once
// The model being run. For now the seed notebook's model: a stack of `layers` MLP blocks
// y = relu(x @ expand) @ reduce with expand (d_model x d_ff) and reduce (d_ff x d_model), optionally as a
// mixture of `experts` such blocks per layer of which `experts_per_token` run for each token.
// Values are stored as `dtype`; parameters are counted in elements, sizes in bytes.

#include <cstdint>
#include <string_view>

#include "shardsim/hw/number_format.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::workload {

enum class Dtype { fp32, fp16, bf16 };

std::string_view to_string(Dtype dtype);
std::int64_t bytes_per_value(Dtype dtype);
// The same format as a hw::NumberFormat (hw/number_format.hpp).
hw::NumberFormat number_format(Dtype dtype);

struct ModelSpec {
  std::int64_t d_model = 0;
  std::int64_t d_ff = 0;
  std::int64_t layers = 1;
  std::int64_t experts = 1;
  std::int64_t experts_per_token = 1;
  Dtype dtype = Dtype::fp16;

  // Parameters of one expert's MLP in one layer: expand and reduce.
  std::int64_t layer_params() const { return 2 * d_model * d_ff; }
  // All parameters of the model (every expert of every layer).
  std::int64_t total_params() const { return layer_params() * layers * experts; }
  Bytes total_weight_bytes() const { return Bytes{total_params() * bytes_per_value(dtype)}; }
};

}  // namespace shardsim::workload
