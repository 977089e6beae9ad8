#include "shardsim/scenario/scenario.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <sstream>
#include <cmath>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/expert_plan.hpp"
#include "shardsim/plan/pipeline_plan.hpp"
#include "shardsim/plan/tensor_plan.hpp"
#include "shardsim/plan/training_plan.hpp"
#include "shardsim/workload/training_cost.hpp"
#include "shardsim/workload/transformer_preset.hpp"
#include "shardsim/scenario/toml_file.hpp"
#include "shardsim/scenario/toml_reader.hpp"
#include "shardsim/scenario/topology_file.hpp"
#include "shardsim/util/suggest.hpp"
#include "shardsim/util/unit_parse.hpp"
#include "shardsim/workload/model_preset.hpp"

namespace shardsim::scenario {
namespace {

// ---- overrides -------------------------------------------------------------------------------------------

// An override "a.b.c=value", labelled "--set a.b.c=value". Every part of the key and the value carry their column
// in that label, so that errors point at them ("--set model.layrs=24:1:13: unknown key ...").
struct Override {
  std::vector<toml::key> path;
  toml::table doc;  // {x = value}, parsed so that the value's column is its column in the argument
  std::string label;

  toml::node& value() { return *doc.get("x"); }
};

// Parses the value as TOML so it gets a type ("24", "\"10 Gbit/s\"", "true"); a value that is not TOML is taken
// as a string ("fp32").
Override parse_override(const std::string& arg) {
  Override o;
  o.label = "--set " + arg;
  const auto path = std::make_shared<const std::string>(o.label);
  const SourcePos where{o.label, 0, 0};
  constexpr std::size_t prefix = 6;  // "--set "
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError(where, "expected key=value");
  for (std::size_t start = 0;;) {
    const auto dot = std::min(arg.find('.', start), eq);
    const std::string part = arg.substr(start, dot - start);
    const auto column = static_cast<toml::source_index>(prefix + start + 1);
    if (part.empty()) throw InputError(SourcePos{o.label, 1, static_cast<int>(column)}, "empty part in the key");
    o.path.emplace_back(part, toml::source_region{{1, column}, {1, column}, path});
    if (dot == eq) break;
    start = dot + 1;
  }
  // Padding puts the value at the column it has in the label: prefix + eq - 1 spaces, then "x=".
  const std::string pad(prefix + eq - 1, ' ');
  try {
    o.doc = toml::parse(pad + "x=" + arg.substr(eq + 1), o.label);
  } catch (const toml::parse_error&) {
    std::string quoted = "\"";
    for (char c : arg.substr(eq + 1)) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    try {
      o.doc = toml::parse(pad + "x=" + quoted + "\"", o.label);
    } catch (const toml::parse_error& e) {
      throw InputError(where, std::string(e.description()));
    }
  }
  return o;
}

// Sets `o` into `root` from key part `first` on, creating tables as needed; a numeric part indexes an array (of
// tables). The value and the new key are moved in, not copied: TOML++ keeps source positions only on a move.
void apply_override(toml::table& root, Override& o, std::size_t first) {
  toml::node* current = &root;
  for (std::size_t i = first; i < o.path.size(); ++i) {
    const std::string part(o.path[i].str());
    const SourcePos where = position(o.path[i].source(), o.label);
    const bool last = i + 1 == o.path.size();
    if (auto* array = current->as_array()) {
      std::size_t index = 0;
      const bool numeric = part.find_first_not_of("0123456789") == std::string::npos && part.size() < 9;
      if (!numeric || (index = std::stoul(part)) >= array->size()) {
        throw InputError(where, "'" + part + "' is not an index of the array (it has " +
                                    std::to_string(array->size()) + " entries)");
      }
      if (last) {
        array->replace(array->begin() + static_cast<std::ptrdiff_t>(index), std::move(o.value()));
        return;
      }
      current = array->get(index);
      continue;
    }
    auto* table = current->as_table();
    if (!table) throw InputError(where, "'" + part + "' is below a value that is not a table");
    if (last) {
      if (table->contains(part)) {
        table->insert_or_assign(part, std::move(o.value()));
      } else {
        table->insert(std::move(o.path[i]), std::move(o.value()));
      }
      return;
    }
    if (!table->contains(part)) table->insert(toml::key(o.path[i]), toml::table{});
    current = table->get(part);
  }
}

// ---- [expect] ---------------------------------------------------------------------------------------------

double expected_value(const toml::node& n, const MetricInfo& metric, const std::string& file, const std::string& key) {
  const SourcePos pos = position(n, file);
  if (auto b = n.value_exact<bool>()) {
    if (metric.unit != MetricUnit::flag) throw InputError(pos, key + ": true/false only for 0/1 figures");
    return *b ? 1.0 : 0.0;
  }
  if (n.is_number()) return *n.value<double>();
  if (auto s = n.value_exact<std::string>()) {
    try {
      switch (metric.unit) {
        case MetricUnit::seconds: return parse_time(*s).seconds();
        case MetricUnit::bytes: return static_cast<double>(parse_bytes(*s).count);
        default: break;
      }
    } catch (const UnitError& e) {
      throw InputError(pos, key + ": " + e.what());
    }
    throw InputError(pos, key + ": expected a number, got a string");
  }
  throw InputError(pos, key + ": expected a number, a quantity with its unit, or a table {min, max, value, rel}");
}

std::vector<Expectation> read_expectations(TomlReader& r) {
  std::vector<Expectation> out;
  const toml::table* table = r.table("expect");
  if (!table) return out;
  std::vector<std::string_view> names;
  for (const MetricInfo& m : metric_catalog()) names.push_back(m.name);
  for (const auto& [key, value] : *table) {
    const std::string name(key.str());
    const std::string path = "expect." + name;
    const auto index = metric_index(name);
    if (!index) {
      std::string message = "unknown metric '" + path + "'";
      if (auto best = closest_match(name, names)) message += " (did you mean '" + *best + "'?)";
      throw InputError(position(key.source(), r.file()), message);
    }
    const MetricInfo& metric = metric_catalog()[*index];
    Expectation e;
    e.metric = name;
    e.index = *index;
    e.pos = position(value, r.file());
    if (const toml::table* bounds = value.as_table()) {
      TomlReader b(*bounds, r.file(), path);
      auto get = [&](std::string_view k) -> std::optional<double> {
        const toml::node* n = b.node(k);
        if (!n) return std::nullopt;
        return expected_value(*n, metric, r.file(), b.path(k));
      };
      e.min = get("min");
      e.max = get("max");
      e.equals = get("value");
      if (const toml::node* rel = b.node("rel")) {
        if (!rel->is_number() || *rel->value<double>() < 0) b.fail("rel", "expected a non-negative number");
        if (!e.equals) b.fail("rel", "'rel' needs 'value'");
        e.rel_tol = *rel->value<double>();
      }
      auto fraction = [&](std::string_view k) -> std::optional<double> {
        const toml::node* n = b.node(k);
        if (!n) return std::nullopt;
        if (!n->is_number() || *n->value<double>() < 0) b.fail(k, "expected a non-negative fraction, e.g. 0.05");
        return *n->value<double>();
      };
      e.above_baseline = fraction("above_baseline");
      e.below_baseline = fraction("below_baseline");
      b.finish();
      if (!e.min && !e.max && !e.equals && !e.uses_baseline()) {
        throw InputError(e.pos, path + ": give min, max, value, above_baseline or below_baseline");
      }
      if (e.min && e.max && *e.min > *e.max) throw InputError(e.pos, path + ": min is above max");
    } else {
      e.equals = expected_value(value, metric, r.file(), path);
    }
    out.push_back(std::move(e));
  }
  return out;
}

// ---- [sweep] ----------------------------------------------------------------------------------------------

// Each key is a dotted override key (quoted in TOML when it has dots: "plan.nodes" = [...], or as a nested
// table: [sweep.plan] nodes = [...]); each value an array of values or a range string.
void read_sweep_table(const toml::table& table, const std::string& prefix, const std::string& file,
                      std::vector<SweepAxis>& out) {
  for (const auto& [key, value] : table) {
    const std::string name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    const SourcePos pos = position(value, file);
    if (const toml::table* nested = value.as_table()) {
      read_sweep_table(*nested, name, file, out);
      continue;
    }
    SweepAxis axis{name, {}, pos};
    if (const toml::array* values = value.as_array()) {
      for (const toml::node& v : *values) {
        if (const auto str = v.value_exact<std::string>()) {
          std::string quoted = "\"";
          for (char c : *str) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
          }
          axis.values.push_back(quoted + "\"");
        } else if (v.is_integer() || v.is_floating_point() || v.is_boolean()) {
          std::ostringstream text;
          text << toml::toml_formatter{v};
          axis.values.push_back(text.str());
        } else {
          throw InputError(position(v, file), "sweep." + name + ": values must be numbers, strings or booleans");
        }
      }
    } else if (const auto range = value.value_exact<std::string>()) {
      axis.values = expand_range(*range, pos);
      if (axis.values.empty()) {
        throw InputError(pos, "sweep." + name + ": expected an array of values or a range such as \"8..1024*2\"");
      }
    } else {
      throw InputError(pos, "sweep." + name + ": expected an array of values or a range such as \"8..1024*2\"");
    }
    if (axis.values.empty()) throw InputError(pos, "sweep." + name + ": no values");
    out.push_back(std::move(axis));
  }
}

std::vector<SweepAxis> read_sweep(TomlReader& r) {
  std::vector<SweepAxis> out;
  if (const toml::table* table = r.table("sweep")) read_sweep_table(*table, "", r.file(), out);
  return out;
}

// ---- sections ---------------------------------------------------------------------------------------------

template <class Enum, class Options>
Enum choice(TomlReader& r, std::string_view key, const Options& options, Enum fallback) {
  const auto value = r.string(key);
  if (!value) return fallback;
  std::vector<std::string_view> names;
  for (const auto& [name, e] : options) {
    if (name == *value) return e;
    names.push_back(name);
  }
  // Appended piece by piece: GCC 12 gives a false -Wrestrict warning for `" " + std::string(n)` here.
  std::string message = "unknown value '";
  message += *value;
  message += "'; expected one of:";
  for (auto n : names) {
    message += ' ';
    message += n;
  }
  r.fail(key, message);
}

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
  auto format = [&t](std::string_view key, workload::NumberFormat& field) {
    if (auto name_of = t.string(key)) {
      auto f = workload::parse_number_format(*name_of);
      if (!f) t.fail(key, "unknown number format '" + *name_of + "'; expected fp32, fp16, bf16, q8_0 or q4_0");
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

// [plan] of a training step (training_plan.hpp): the model-parallel strategy, replicated data_parallel times.
void read_training_plan(TomlReader& p, Scenario& s) {
  static constexpr std::array<std::pair<std::string_view, plan::Strategy>, 4> strategies{
      {{"data", plan::Strategy::tensor},
       {"tensor", plan::Strategy::tensor},
       {"pipeline", plan::Strategy::pipeline},
       {"expert", plan::Strategy::expert}}};
  const bool data_only = p.has("strategy") && p.string("strategy") == std::optional<std::string>("data");
  s.plan.strategy = choice(p, "strategy", strategies, plan::Strategy::tensor);
  s.plan.algorithm = choice(p, "collective", collective::algorithm_names(), collective::Algorithm::ring);
  for (const auto kind : {collective::CollectiveKind::all_reduce, collective::CollectiveKind::reduce_scatter,
                          collective::CollectiveKind::all_gather}) {
    if (!collective::supports(kind, s.plan.algorithm)) {
      p.fail("collective", std::string(collective::to_string(s.plan.algorithm)) + " cannot do training's " +
                               std::string(collective::to_string(kind)));
    }
  }
  const std::int64_t available = s.topology.node_count();
  const std::int64_t nodes = p.integer("nodes").value_or(available);
  if (nodes < 1 || nodes > available) {
    p.fail("nodes", "must be between 1 and " + std::to_string(available) + " (the topology's compute nodes)");
  }
  s.plan.nodes = static_cast<int>(nodes);
  s.plan.data_parallel = static_cast<int>(
      p.bounded("data_parallel", p.integer("data_parallel").value_or(data_only ? nodes : 1), 1, nodes));
  if (data_only && s.plan.data_parallel != s.plan.nodes) {
    p.fail("data_parallel", "the data strategy replicates the model on every node: data_parallel = nodes");
  }
  s.plan.tensor_degree = static_cast<int>(p.bounded("tensor_degree", p.integer("tensor_degree").value_or(1), 1, nodes));
  if (s.plan.strategy != plan::Strategy::pipeline && p.has("tensor_degree")) {
    p.fail("tensor_degree", "only the pipeline strategy has stages of tensor groups");
  }
  s.plan.micro_batches = static_cast<int>(p.bounded("micro_batches", p.integer("micro_batches").value_or(1), 1, 4096));
  s.plan.zero = static_cast<int>(p.bounded("zero", p.integer("zero").value_or(0), 0, 3));
  static constexpr std::array<std::pair<std::string_view, plan::Schedule>, 2> schedules{
      {{"gpipe", plan::Schedule::gpipe}, {"1f1b", plan::Schedule::one_f_one_b}}};
  s.plan.schedule = choice(p, "schedule", schedules, plan::Schedule::one_f_one_b);
  if (auto bucket = p.bytes("gradient_bucket")) {
    if (bucket->count <= 0) p.fail("gradient_bucket", "must be positive");
    s.plan.gradient_bucket = *bucket;
  }
  if (auto overlap = p.boolean("overlap_gradients")) s.plan.overlap_gradients = *overlap;
  if (s.plan.strategy == plan::Strategy::expert) {
    static constexpr std::array<std::pair<std::string_view, plan::Routing>, 2> routings{
        {{"seeded", plan::Routing::seeded}, {"worst", plan::Routing::worst}}};
    s.plan.routing = choice(p, "routing", routings, plan::Routing::seeded);
    if (auto seed = p.integer("seed")) s.plan.seed = static_cast<std::uint64_t>(p.bounded("seed", *seed, 0, INT64_MAX));
    if (!p.has("nodes")) s.plan.nodes = static_cast<int>(std::min<std::int64_t>(available, s.transformer->experts));
  }
  if (std::string problem = plan::training_plan_problem(*s.transformer, s.run.batch, s.plan); !problem.empty()) {
    std::string_view key = "nodes";
    for (std::string_view k : {"data_parallel", "micro_batches", "tensor_degree", "zero"}) {
      if (problem.find(k) != std::string::npos && p.has(k)) key = k;
    }
    if (problem.find("batch") != std::string::npos && !p.has(key)) key = "nodes";
    if (problem.find("mixture of experts") != std::string::npos) key = "strategy";
    p.fail(key, problem);
  }
  s.plan.groups = plan::attachment_groups(s.topology, s.plan.nodes);
  p.finish();
}

void read_plan(TomlReader& p, Scenario& s) {
  if (s.run.training) {
    read_training_plan(p, s);
    return;
  }
  static constexpr std::array<std::pair<std::string_view, plan::Strategy>, 4> strategies{
      {{"seed", plan::Strategy::seed},
       {"tensor", plan::Strategy::tensor},
       {"pipeline", plan::Strategy::pipeline},
       {"expert", plan::Strategy::expert}}};
  s.plan.strategy = choice(p, "strategy", strategies, s.transformer ? plan::Strategy::tensor : plan::Strategy::seed);
  s.plan.algorithm = choice(p, "collective", collective::algorithm_names(),
                            s.transformer ? collective::Algorithm::ring : collective::Algorithm::direct);
  if (s.plan.strategy == plan::Strategy::expert) {
    if (!s.transformer) p.fail("strategy", "the expert plan needs a [transformer] model");
    const std::int64_t available = s.topology.node_count();
    const std::int64_t nodes =
        p.integer("nodes").value_or(std::min<std::int64_t>(available, s.transformer->experts));
    if (nodes < 1 || nodes > available) {
      p.fail("nodes", "must be between 1 and " + std::to_string(available) + " (the topology's compute nodes)");
    }
    if (const std::string problem = plan::expert_plan_problem(*s.transformer, static_cast<int>(nodes));
        !problem.empty()) {
      p.fail(p.has("nodes") ? "nodes" : "strategy", problem);
    }
    static constexpr std::array<std::pair<std::string_view, plan::Routing>, 2> routings{
        {{"seeded", plan::Routing::seeded}, {"worst", plan::Routing::worst}}};
    s.plan.routing = choice(p, "routing", routings, plan::Routing::seeded);
    if (auto seed = p.integer("seed")) s.plan.seed = static_cast<std::uint64_t>(p.bounded("seed", *seed, 0, INT64_MAX));
    s.plan.nodes = static_cast<int>(nodes);
    p.finish();
    return;
  }
  if (s.plan.strategy == plan::Strategy::pipeline) {
    if (!s.transformer) p.fail("strategy", "the pipeline plan needs a [transformer] model");
    const std::int64_t available = s.topology.node_count();
    const std::int64_t degree = p.bounded("tensor_degree", p.integer("tensor_degree").value_or(1), 1, available);
    const std::int64_t nodes =
        p.integer("nodes").value_or(std::min<std::int64_t>(available / degree, s.transformer->layers) * degree);
    if (nodes < 1 || nodes > available) {
      p.fail("nodes", "must be between 1 and " + std::to_string(available) + " (the topology's compute nodes)");
    }
    if (degree > 1 && (!collective::supports(collective::CollectiveKind::all_reduce, s.plan.algorithm) ||
                       !collective::supports(collective::CollectiveKind::gather, s.plan.algorithm))) {
      p.fail("collective", std::string(collective::to_string(s.plan.algorithm)) +
                               " cannot do the stages' all-reduce and logits gather; choose direct, ring, tree or "
                               "hierarchical");
    }
    const std::int64_t micro = p.integer("micro_batches").value_or(1);
    if (micro < 1 || micro > 4096) p.fail("micro_batches", "must be between 1 and 4096");
    if (std::string problem = plan::pipeline_plan_problem(*s.transformer, static_cast<int>(nodes),
                                                          static_cast<int>(degree), s.run.batch,
                                                          static_cast<int>(micro));
        !problem.empty()) {
      const bool micro_problem = problem.find("micro_batches") != std::string::npos;
      const bool degree_problem = !micro_problem && p.has("tensor_degree") &&
                                  (problem.find("tensor") != std::string::npos || problem.find("heads") != std::string::npos ||
                                   problem.find("degree") != std::string::npos);
      p.fail(micro_problem && p.has("micro_batches") ? "micro_batches" : degree_problem ? "tensor_degree" : "nodes",
             problem);
    }
    s.plan.nodes = static_cast<int>(nodes);
    s.plan.tensor_degree = static_cast<int>(degree);
    s.plan.micro_batches = static_cast<int>(micro);
    s.plan.groups = plan::attachment_groups(s.topology, s.plan.nodes);
    p.finish();
    return;
  }
  if (s.plan.strategy == plan::Strategy::tensor && !s.transformer) {
    // The seed's MLP stack split Megatron-style (tensor_mlp_plan.hpp): one all-reduce per layer.
    if (!collective::supports(collective::CollectiveKind::all_reduce, s.plan.algorithm)) {
      p.fail("collective", std::string(collective::to_string(s.plan.algorithm)) + " cannot do an all-reduce");
    }
    const std::int64_t available = s.topology.node_count();
    const std::int64_t most = std::min(available, s.model.d_ff);
    const std::int64_t nodes = p.integer("nodes").value_or(most);
    if (nodes < 1 || nodes > most) {
      p.fail("nodes", "must be between 1 and " + std::to_string(most) + " (the topology has " +
                          std::to_string(available) + " compute nodes and every node needs at least one of the d_ff = " +
                          std::to_string(s.model.d_ff) + " columns), got " + std::to_string(nodes));
    }
    s.plan.nodes = static_cast<int>(nodes);
    s.plan.groups = plan::attachment_groups(s.topology, s.plan.nodes);
    p.finish();
    return;
  }
  if (s.plan.strategy == plan::Strategy::tensor) {
    if (!collective::supports(collective::CollectiveKind::all_reduce, s.plan.algorithm) ||
        !collective::supports(collective::CollectiveKind::gather, s.plan.algorithm)) {
      p.fail("collective", std::string(collective::to_string(s.plan.algorithm)) +
                               " cannot do the tensor plan's all-reduce and gather; choose direct, ring, tree or "
                               "hierarchical");
    }
    const std::int64_t available = s.topology.node_count();
    const std::int64_t nodes = p.integer("nodes").value_or(available);
    if (nodes < 1 || nodes > available) {
      p.fail("nodes", "must be between 1 and " + std::to_string(available) + " (the topology's compute nodes)");
    }
    if (const std::string problem = plan::tensor_plan_problem(*s.transformer, static_cast<int>(nodes));
        !problem.empty()) {
      p.fail("nodes", problem);
    }
    s.plan.nodes = static_cast<int>(nodes);
    s.plan.groups = plan::attachment_groups(s.topology, s.plan.nodes);
    p.finish();
    return;
  }
  if (s.transformer) {
    p.fail("strategy", "the seed plan splits a [model] MLP stack; a [transformer] needs \"tensor\", \"pipeline\" "
                       "or \"expert\"");
  }
  // The seed plan broadcasts x, all-gathers the activation and gathers the output with one algorithm.
  for (const auto kind : {collective::CollectiveKind::broadcast, collective::CollectiveKind::all_gather,
                          collective::CollectiveKind::gather}) {
    if (!collective::supports(kind, s.plan.algorithm)) {
      p.fail("collective", std::string(collective::to_string(s.plan.algorithm)) + " cannot do the seed plan's " +
                               std::string(collective::to_string(kind)) +
                               "; choose direct, ring, tree or hierarchical");
    }
  }
  const std::int64_t available = s.topology.node_count();
  const std::int64_t nodes = p.integer("nodes").value_or(available);
  // Every node must hold at least one column of each matrix.
  const std::int64_t most = std::min({available, s.model.d_model, s.model.d_ff});
  if (nodes < 1 || nodes > most) {
    p.fail("nodes", "must be between 1 and " + std::to_string(most) + " (the topology has " +
                        std::to_string(available) + " compute nodes and every node needs at least one column of " +
                        "d_model = " + std::to_string(s.model.d_model) + "), got " + std::to_string(nodes));
  }
  s.plan.nodes = static_cast<int>(nodes);
  s.plan.groups = plan::attachment_groups(s.topology, s.plan.nodes);
  p.finish();
}

void read_network(TomlReader& n, Scenario& s) {
  static constexpr std::array<std::pair<std::string_view, net::NetworkModelKind>, 2> models{
      {{"fifo", net::NetworkModelKind::fifo}, {"fair", net::NetworkModelKind::fair}}};
  s.network.model = choice(n, "model", models, net::NetworkModelKind::fifo);
  if (auto mtu = n.bytes("mtu")) {
    if (mtu->count <= 0) n.fail("mtu", "must be positive");
    s.network.mtu = *mtu;
  }
  if (auto overhead = n.bytes("frame_overhead")) s.network.frame_overhead = *overhead;
  n.finish();
}

}  // namespace

topo::Topology load_topology(const std::string& path, const std::vector<std::string>& overrides) {
  toml::table table = parse_toml_file(path, SourcePos{path, 0, 0});
  for (const std::string& arg : overrides) {
    Override o = parse_override(arg);
    apply_override(table, o, 0);
  }
  return build_topology(table, path);
}

Scenario load(const std::string& path, const std::vector<std::string>& overrides, const std::string& topology_file) {
  Scenario s;
  s.path = path;
  toml::table table = parse_toml_file(path, SourcePos{path, 0, 0});
  std::vector<Override> topology_overrides;
  for (const std::string& arg : overrides) {
    Override o = parse_override(arg);
    if (o.path.size() > 1 && o.path[0].str() == "topology") {
      topology_overrides.push_back(std::move(o));
    } else {
      apply_override(table, o, 0);
    }
  }

  TomlReader r(table, path, "");
  const std::string topology_name = r.require_string("topology");
  s.topology_path = topology_file.empty() ? resolve_relative(path, topology_name) : topology_file;
  toml::table topology_table = parse_toml_file(
      s.topology_path, topology_file.empty() ? position(*r.node("topology"), path) : SourcePos{"--topology", 0, 0});
  for (Override& o : topology_overrides) apply_override(topology_table, o, 1);
  s.topology = build_topology(topology_table, s.topology_path);

  const toml::table* model = r.table("model");
  const toml::table* transformer = r.table("transformer");
  if (model && transformer) r.fail("transformer", "give either [model] (an MLP stack) or [transformer], not both");
  if (transformer) {
    TomlReader tr(*transformer, path, "transformer");
    read_transformer(tr, s);
  } else {
    if (!model) r.missing("model");
    TomlReader m(*model, path, "model");
    read_model(m, s);
  }

  static const toml::table empty;
  // [run] before [plan]: the pipeline plan checks its micro-batches against the batch.
  const toml::table* run = r.table("run");
  TomlReader ru(run ? *run : empty, path, "run");
  if (auto batch = ru.integer("batch")) s.run.batch = ru.bounded("batch", *batch, 1, 1'000'000);
  if (auto context = ru.integer("context")) s.run.context = ru.bounded("context", *context, 1, 10'000'000);
  // A generation: the prompt's prefill gives token 1, a decode step each of the others (run_options.hpp).
  const auto prompt = ru.integer("prompt_tokens");
  const auto generated = ru.integer("generated_tokens");
  if (prompt || generated) {
    const std::string_view given = prompt ? "prompt_tokens" : "generated_tokens";
    if (!s.transformer) ru.fail(given, "a generation (prefill and decode) needs a [transformer] model");
    if (!prompt) ru.fail("generated_tokens", "give prompt_tokens too: the generation starts with its prefill");
    if (!generated) ru.fail("prompt_tokens", "give generated_tokens too (at least 2: the prefill gives the first)");
    if (ru.has("context")) {
      ru.fail("context", "a generation sets the context itself (prompt_tokens + generated_tokens - 1 at its last "
                         "step); leave context out");
    }
    s.run.prompt_tokens = ru.bounded("prompt_tokens", *prompt, 1, 1'000'000);
    s.run.generated_tokens = ru.bounded("generated_tokens", *generated, 2, 100'000);
    s.run.context = s.run.prompt_tokens + s.run.generated_tokens - 1;
  }
  ru.finish();

  if (const toml::table* train = r.table("train")) {
    TomlReader tr(*train, path, "train");
    for (std::string_view key : {"context", "prompt_tokens", "generated_tokens"}) {
      if (ru.has(key)) {
        std::string message = "a training step ([train]) has no KV cache to fill: leave run.";
        message.append(key).append(" out");
        ru.fail(key, message);
      }
    }
    read_train(tr, s, transformer ? *transformer : empty);
  }

  const toml::table* plan = r.table("plan");
  TomlReader p(plan ? *plan : empty, path, "plan");
  read_plan(p, s);

  const toml::table* network = r.table("network");
  TomlReader n(network ? *network : empty, path, "network");
  read_network(n, s);

  s.expectations = read_expectations(r);
  for (const Expectation& e : s.expectations) {
    if (training_metric(e.metric) && !s.run.training) {
      throw InputError(e.pos, "expect." + e.metric + ": only a training step ([train]) has this figure");
    }
    if (generation_metric(e.metric) && !s.run.generates()) {
      throw InputError(e.pos, "expect." + e.metric +
                                  ": only a generation has this figure; give run.prompt_tokens and "
                                  "run.generated_tokens");
    }
  }
  s.sweep = read_sweep(r);
  r.finish();
  return s;
}

}  // namespace shardsim::scenario
