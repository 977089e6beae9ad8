#include <array>

#include "sections.hpp"
#include "shardsim/util/suggest.hpp"
#include "shardsim/workload/model_preset.hpp"
#include "shardsim/workload/training_cost.hpp"
#include "shardsim/workload/transformer_preset.hpp"

namespace shardsim::scenario {

void read_model(TomlReader& m, Scenario& s) {
  if (auto preset = m.string("preset")) {
    auto spec = workload::find_model_preset(*preset);
    if (!spec) {
      std::vector<std::string_view> names;
      for (const auto& p : workload::model_presets()) names.push_back(p.name);
      std::string message = "unknown model preset '" + *preset + "'";
      if (auto best = closest_match(*preset, names)) message += " (did you mean '" + *best + "'?)";
      m.fail("preset", message);
    }
    s.model = *spec;
    s.model_preset = *preset;
  }
  workload::ModelSpec& model = s.model;
  auto dim = [&](std::string_view key, std::int64_t& field) {
    if (auto v = m.integer(key)) field = m.bounded(key, *v, 1, 1'000'000'000);
    if (field <= 0) m.missing(key);
  };
  dim("d_model", model.d_model);
  dim("d_ff", model.d_ff);
  dim("layers", model.layers);
  dim("experts", model.experts);
  dim("experts_per_token", model.experts_per_token);
  if (model.experts_per_token > model.experts) {
    m.fail(m.has("experts_per_token") ? "experts_per_token" : "experts",
           "experts_per_token (" + std::to_string(model.experts_per_token) + ") exceeds experts (" +
               std::to_string(model.experts) + ")");
  }
  static constexpr std::array<std::pair<std::string_view, workload::Dtype>, 3> dtypes{
      {{"fp32", workload::Dtype::fp32}, {"fp16", workload::Dtype::fp16}, {"bf16", workload::Dtype::bf16}}};
  model.dtype = choice(m, "dtype", dtypes, model.dtype);
  m.finish();
}

// [transformer]: a preset with any of its dimensions overridden, or no preset and every dimension given; and the
// number formats.
void read_transformer(TomlReader& t, Scenario& s) {
  workload::TransformerSpec spec;
  const std::optional<std::string> name = t.string("preset");
  if (name) {
    auto preset = workload::find_transformer_preset(*name);
    if (!preset) {
      std::vector<std::string_view> names;
      for (const auto& p : workload::transformer_presets()) names.push_back(p.name);
      std::string message = "unknown transformer preset '" + *name + "'";
      if (auto best = closest_match(*name, names)) message += " (did you mean '" + *best + "'?)";
      t.fail("preset", message);
    }
    spec = *preset;
  }
  // Without a preset the dimensions a model cannot do without are required; the others keep their defaults
  // (kv_heads = heads, head_dim = d_model / heads, SwiGLU, RMSNorm, one expert, untied, no biases, rotary).
  // Bounds far above any published model (Llama 3.1 405B: d_model 16384, d_ff 53248, 126 layers, vocab 128256)
  // that keep every count the simulator forms well inside 64 bits.
  auto dim = [&](std::string_view key, std::int64_t& field, bool needed, std::int64_t lo, std::int64_t hi) {
    if (auto v = t.integer(key)) {
      field = t.bounded(key, *v, lo, hi);
    } else if (needed && !name) {
      t.missing(key);
    }
  };
  dim("vocab", spec.vocab, true, 1, 10'000'000);
  dim("d_model", spec.d_model, true, 1, 1 << 20);
  dim("layers", spec.layers, true, 1, 100'000);
  dim("heads", spec.heads, true, 1, 1 << 16);
  dim("kv_heads", spec.kv_heads, false, 0, 1 << 16);
  dim("head_dim", spec.head_dim, false, 0, 1 << 16);
  dim("d_ff", spec.d_ff, true, 1, 1 << 22);
  dim("experts", spec.experts, false, 1, 4096);
  dim("experts_per_token", spec.experts_per_token, false, 1, 4096);
  dim("max_context", spec.max_context, true, 1, 100'000'000);
  static constexpr std::array<std::pair<std::string_view, workload::MlpKind>, 2> mlps{
      {{"gelu", workload::MlpKind::gelu}, {"swiglu", workload::MlpKind::swiglu}}};
  spec.mlp = choice(t, "mlp", mlps, spec.mlp);
  static constexpr std::array<std::pair<std::string_view, workload::NormKind>, 2> norms{
      {{"layer_norm", workload::NormKind::layer_norm}, {"rms_norm", workload::NormKind::rms_norm}}};
  spec.norm = choice(t, "norm", norms, spec.norm);
  if (auto v = t.boolean("tied_embeddings")) spec.tied_embeddings = *v;
  if (auto v = t.boolean("linear_biases")) spec.linear_biases = *v;
  if (auto v = t.boolean("learned_positions")) spec.learned_positions = *v;
  auto format = [&t](std::string_view key, hw::NumberFormat& field) {
    if (auto name_of = t.string(key)) {
      auto f = hw::parse_number_format(*name_of);
      if (!f) {
        std::string names;
        for (hw::NumberFormat n : hw::number_formats()) names += std::string(names.empty() ? "" : ", ") + std::string(hw::to_string(n));
        t.fail(key, "unknown number format '" + *name_of + "'; expected one of " + names +
                        " (in any case), or llama.cpp's q4_k_m, q4_k_s, q5_k_m, q5_k_s");
      }
      field = *f;
    }
  };
  format("weights", spec.weight_format);
  format("kv_cache", spec.kv_format);
  format("activations", spec.activation_format);
  // The first problem, placed at its key when the file gives it (else at the preset, whose value it came from).
  if (const std::vector<workload::SpecProblem> problems = workload::validate(spec); !problems.empty()) {
    const workload::SpecProblem& p = problems.front();
    t.fail(t.has(p.key) || !name ? p.key : "preset", p.message);
  }
  // Parameters, estimated in floating point, must stay far from 2^63 bytes once multiplied by the layers and
  // formats (1e15 parameters is 2500 times GPT-4's estimated 1.8e12).
  const double q = static_cast<double>(spec.heads) * static_cast<double>(spec.resolved_head_dim());
  const double d = static_cast<double>(spec.d_model);
  const double params =
      static_cast<double>(spec.layers) * (2 * d * q + 2 * d * static_cast<double>(spec.kv_width()) +
                                          3 * d * static_cast<double>(spec.d_ff) * static_cast<double>(spec.experts)) +
      2 * d * (static_cast<double>(spec.vocab) + static_cast<double>(spec.max_context));
  if (params > 1e15) {
    t.fail(name ? "layers" : "d_model", "the model has about " + std::to_string(params) +
                                           " parameters, more than the 1e15 the simulator counts");
  }
  t.finish();
  s.transformer = spec;
  s.model_preset = name.value_or("");
}

// [train]: one training step instead of inference (workload::TrainingRun).
void read_train(TomlReader& t, Scenario& s, const toml::table& transformer) {
  if (!s.transformer) t.fail("seq_len", "training needs a [transformer] model");
  workload::TrainingRun run;
  if (auto seq = t.integer("seq_len")) run.seq_len = t.bounded("seq_len", *seq, 1, 1'000'000);
  static constexpr std::array<std::pair<std::string_view, workload::Optimizer>, 4> optimizers{
      {{"sgd", workload::Optimizer::sgd},
       {"momentum", workload::Optimizer::momentum},
       {"adam", workload::Optimizer::adam},
       {"adamw", workload::Optimizer::adam}}};
  run.optimizer.optimizer = choice(t, "optimizer", optimizers, workload::Optimizer::adam);
  static constexpr std::array<std::pair<std::string_view, workload::Precision>, 2> precisions{
      {{"fp32", workload::Precision::fp32}, {"mixed", workload::Precision::mixed}}};
  run.optimizer.precision = choice(t, "precision", precisions, workload::Precision::mixed);
  if (auto recompute = t.boolean("recompute")) run.recompute = *recompute;
  t.finish();
  // Training computes in one format (bf16 under mixed precision, else fp32): formats given for inference would be
  // silently replaced, so they are refused.
  for (const char* key : {"weights", "kv_cache", "activations"}) {
    if (const toml::node* n = transformer.get(key)) {
      std::string message = "transformer.";
      message.append(key).append(
          ": a training step computes in train.precision's format (fp32, or bf16 when mixed); leave the inference "
          "formats out");
      throw InputError(position(*n, t.file()), message);
    }
  }
  s.transformer = workload::with_compute_format(*s.transformer, run.optimizer.precision);
  s.run.training = run;
}

}  // namespace shardsim::scenario
