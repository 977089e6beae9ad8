#pragma once
// Named models a scenario can start from (`[model] preset = "..."`); explicit keys then override their fields.

#include <optional>
#include <span>
#include <string_view>

#include "shardsim/workload/model_spec.hpp"

namespace shardsim::workload {

struct ModelPreset {
  std::string_view name;
  std::string_view description;
  ModelSpec spec;
};

std::span<const ModelPreset> model_presets();
std::optional<ModelSpec> find_model_preset(std::string_view name);

}  // namespace shardsim::workload
