#include "shardsim/workload/model_preset.hpp"

#include <array>

namespace shardsim::workload {
namespace {

constexpr std::array<ModelPreset, 2> kPresets{{
    // The notebook's first example: embedding_dim 512, nonlinear_dim 2048, one layer, fp16 bytes assumed.
    {"seed-mlp", "the seed notebook's MLP layer, 512 x 2048, fp16",
     ModelSpec{.d_model = 512, .d_ff = 2048, .layers = 1, .experts = 1, .experts_per_token = 1,
               .dtype = Dtype::fp16}},
    // The notebook's GPT-4 guess: "8 gpt-3ish experts, each with 192 layers with embedding dim 12288 and an
    // activation dim 4x that", fp16, 2 experts active per token: 1.855e12 parameters.
    {"gpt4-seed-estimate", "the seed notebook's GPT-4 guess: 8 experts x 192 MLP layers of 12288 x 49152, 2 active",
     ModelSpec{.d_model = 12288, .d_ff = 49152, .layers = 192, .experts = 8, .experts_per_token = 2,
               .dtype = Dtype::fp16}},
}};

}  // namespace

std::span<const ModelPreset> model_presets() { return kPresets; }

std::optional<ModelSpec> find_model_preset(std::string_view name) {
  for (const ModelPreset& p : kPresets) {
    if (p.name == name) return p.spec;
  }
  return std::nullopt;
}

}  // namespace shardsim::workload
