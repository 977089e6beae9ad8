#pragma once
// Test support: a transformer preset by name and an op of a pass by name, failing the test when missing.

#include <catch2/catch.hpp>
#include <optional>
#include <string_view>

#include "shardsim/workload/transformer_preset.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::testing {

inline workload::TransformerSpec preset(std::string_view name) {
  const std::optional<workload::TransformerSpec> s = workload::find_transformer_preset(name);
  REQUIRE(s.has_value());
  return *s;
}

inline const workload::OpCost& op(const workload::PassCost& p, std::string_view name) {
  const workload::OpCost* o = p.find(name);
  INFO(name);
  REQUIRE(o != nullptr);
  return *o;
}

}  // namespace shardsim::testing
