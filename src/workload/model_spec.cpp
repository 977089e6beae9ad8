#include "shardsim/workload/model_spec.hpp"

#include "shardsim/util/error.hpp"

namespace shardsim::workload {

std::string_view to_string(Dtype dtype) {
  switch (dtype) {
    case Dtype::fp32: return "fp32";
    case Dtype::fp16: return "fp16";
    case Dtype::bf16: return "bf16";
  }
  return "?";
}

std::int64_t bytes_per_value(Dtype dtype) {
  switch (dtype) {
    case Dtype::fp32: return 4;
    case Dtype::fp16:
    case Dtype::bf16: return 2;
  }
  return 0;
}


hw::NumberFormat number_format(Dtype dtype) {
  switch (dtype) {
    case Dtype::fp32: return hw::NumberFormat::fp32;
    case Dtype::fp16: return hw::NumberFormat::fp16;
    case Dtype::bf16: return hw::NumberFormat::bf16;
  }
  throw InternalError("number_format: unknown dtype");
}

}  // namespace shardsim::workload
