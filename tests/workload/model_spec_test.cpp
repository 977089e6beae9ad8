#include <catch2/catch.hpp>

#include "shardsim/workload/model_spec.hpp"

using namespace shardsim;
using namespace shardsim::workload;

TEST_CASE("number format: the seed model's dtypes map to the same formats") {
  CHECK(number_format(Dtype::fp32) == hw::NumberFormat::fp32);
  CHECK(number_format(Dtype::fp16) == hw::NumberFormat::fp16);
  CHECK(number_format(Dtype::bf16) == hw::NumberFormat::bf16);
  for (Dtype d : {Dtype::fp32, Dtype::fp16, Dtype::bf16}) {
    CHECK(hw::to_string(number_format(d)) == to_string(d));
    CHECK(hw::bytes_per_value(number_format(d)) == static_cast<double>(bytes_per_value(d)));
  }
}
