#pragma once
// Named real decoder-only transformers with the dims of their published configs (each cited in
// transformer_preset.cpp). Formats default to each model's released dtype, for weights, KV cache and
// activations alike; a scenario may change them.
//
// The seed notebook's GPT-4 guess stays a ModelSpec preset ("gpt4-seed-estimate" in model_preset.hpp): the
// notebook describes only MLP blocks (8 experts x 192 layers of 12288 x 49152), and expressing it as a
// transformer would mean inventing its vocabulary, heads, KV heads and attention layout, which it never gave.

#include <optional>
#include <span>
#include <string_view>

#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::workload {

struct TransformerPreset {
  std::string_view name;
  std::string_view description;
  TransformerSpec spec;
};

std::span<const TransformerPreset> transformer_presets();
std::optional<TransformerSpec> find_transformer_preset(std::string_view name);

}  // namespace shardsim::workload
