#include "shardsim/scenario/scenario.hpp"

#include <array>

#include "sections.hpp"
#include "shardsim/scenario/span_limits.hpp"
#include "shardsim/scenario/toml_file.hpp"
#include "shardsim/scenario/topology_file.hpp"

namespace shardsim::scenario {

// [run]: the batch, and either one decode step at `context` or a generation (run_options.hpp). Not finished here:
// [train] still asks which of its keys were given.
void read_run(TomlReader& ru, Scenario& s) {
  if (auto batch = ru.integer("batch")) s.run.batch = ru.bounded("batch", *batch, 1, 1'000'000);
  if (auto context = ru.integer("context")) s.run.context = ru.bounded("context", *context, 1, 10'000'000);
  // A generation: the prompt's prefill gives token 1, a decode step each of the others.
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

topo::Topology load_topology(const std::string& path, const std::vector<std::string>& overrides) {
  toml::table table = parse_toml_file(path, SourcePos{path, 0, 0});
  std::vector<NodeTypePatch> patches;
  for (const std::string& arg : overrides) {
    if (auto file = calibration_file_of(arg)) {
      for (NodeTypePatch& p : read_calibration(*file)) patches.push_back(std::move(p));
      continue;
    }
    Override o = parse_override(arg);
    if (auto patch = node_type_patch(o, 0)) {
      patches.push_back(std::move(*patch));
    } else {
      apply_override(table, o, 0);
    }
  }
  return build_topology(table, path, std::move(patches));
}

Scenario load(const std::string& path, const std::vector<std::string>& overrides, const std::string& topology_file) {
  Scenario s;
  s.path = path;
  toml::table table = parse_toml_file(path, SourcePos{path, 0, 0});
  std::vector<Override> topology_overrides;
  std::vector<NodeTypePatch> patches;  // calibration files and --set of a node type's fields, in order
  for (const std::string& arg : overrides) {
    if (auto file = calibration_file_of(arg)) {
      for (NodeTypePatch& p : read_calibration(*file)) patches.push_back(std::move(p));
      continue;
    }
    Override o = parse_override(arg);
    if (o.path[0].str() == "topology") {
      if (auto patch = node_type_patch(o, 1)) {
        patches.push_back(std::move(*patch));
        continue;
      }
    }
    if (o.path.size() > 1 && o.path[0].str() == "topology") {
      topology_overrides.push_back(std::move(o));
    } else {
      apply_override(table, o, 0);
    }
  }

  TomlReader r(table, path, "");
  if (auto name = r.string("name")) {
    if (name->empty()) r.fail("name", "must not be empty (leave it out to key the scenario by its path)");
    s.name = *name;
  }
  const std::string topology_name = r.require_string("topology");
  s.topology_path = topology_file.empty() ? resolve_relative(path, topology_name) : topology_file;
  toml::table topology_table = parse_toml_file(
      s.topology_path, topology_file.empty() ? position(*r.node("topology"), path) : SourcePos{"--topology", 0, 0});
  for (Override& o : topology_overrides) apply_override(topology_table, o, 1);
  // Collected now (the patches move into the topology), checked once the model and run are known.
  std::vector<SpanSite> spans = span_sites(patches);
  s.topology = build_topology(topology_table, s.topology_path, std::move(patches));

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
  read_run(ru, s);
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
  // Last, when the model and run are known: no rate may imply a span beyond what Time holds with room to spare.
  for (SpanSite& site : span_sites(topology_table, s.topology_path)) spans.push_back(std::move(site));
  check_spans(spans, work_bound(s), used_node_types(s.topology));
  return s;
}

}  // namespace shardsim::scenario
