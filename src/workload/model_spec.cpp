#include "shardsim/workload/model_spec.hpp"

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

}  // namespace shardsim::workload
