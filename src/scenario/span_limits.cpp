#include "shardsim/scenario/span_limits.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

#include "shardsim/scenario/toml_file.hpp"
#include "shardsim/scenario/toml_reader.hpp"
#include "shardsim/util/unit_parse.hpp"
#include "shardsim/workload/training_cost.hpp"

namespace shardsim::scenario {
namespace {

double pass_bytes(const workload::PassCost& p) {
  return static_cast<double>(p.bytes_read().count) + static_cast<double>(p.bytes_written().count);
}

WorkBound transformer_bound(const workload::TransformerSpec& spec, const workload::RunOptions& run) {
  const double weights = static_cast<double>(workload::weight_bytes(spec).count);
  if (run.training) {
    // A step's forward reads and writes what a prefill of seq_len tokens does; its backward at most twice that
    // again. Add the whole training state (weights, gradients, optimizer) and the activations kept.
    const auto& t = *run.training;
    const workload::PassCost forward = workload::prefill(spec, t.seq_len, run.batch);
    const double params = static_cast<double>(workload::param_counts(spec).total());
    const double state = params * static_cast<double>(workload::state_bytes_per_param(t.optimizer).total());
    const double activations =
        static_cast<double>(workload::activation_memory(spec, run.batch, t.seq_len, t.recompute).peak().count);
    return {weights + state + activations + 3 * pass_bytes(forward),
            static_cast<double>(workload::training_flops(spec, run.batch, t.seq_len).count)};
  }
  const workload::PassCost decode = workload::decode_step(spec, run.context, run.batch);
  WorkBound b{weights + pass_bytes(decode), static_cast<double>(decode.flops().count)};
  if (run.generates()) {
    const workload::PassCost prefill = workload::prefill(spec, run.prompt_tokens, run.batch);
    b.bytes = std::max(b.bytes, weights + pass_bytes(prefill));
    b.flops = std::max(b.flops, static_cast<double>(prefill.flops().count));
  }
  return b;
}

// The seed's MLP stack: each of `batch` tokens multiplies every weight once (2 FLOP per multiply-add) and each
// layer reads and writes a d_model and a d_ff vector per token and expert.
WorkBound mlp_bound(const workload::ModelSpec& m, std::int64_t batch) {
  const double b = static_cast<double>(batch);
  const double per_value = static_cast<double>(workload::bytes_per_value(m.dtype));
  const double activations = 2 * b * static_cast<double>(m.d_model + m.d_ff) * static_cast<double>(m.layers) *
                             static_cast<double>(m.experts) * per_value;
  return {static_cast<double>(m.total_weight_bytes().count) + activations,
          2 * static_cast<double>(m.total_params()) * b};
}

enum class Kind { duration, transfer_rate, memory_rate, flop_rate, other };

Kind kind_of(std::string_view key, std::string_view parent) {
  if (parent == "decode_rates" || parent == "prefill_rates") return Kind::flop_rate;
  if (key == "flop_rate") return Kind::flop_rate;
  if (key == "bandwidth" || key == "uplink_bandwidth" || key == "capacity") return Kind::transfer_rate;
  if (key == "memory_bandwidth" || key == "storage_bandwidth") return Kind::memory_rate;
  if (key == "latency" || key == "uplink_latency" || key == "forwarding_latency" || key == "op_overhead" ||
      key == "send_overhead" || key == "recv_overhead") {
    return Kind::duration;
  }
  return Kind::other;
}

std::string seconds_text(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

// What is wrong with `text` as a quantity of `kind` against `bound`, if the span it implies is too long.
std::optional<std::string> problem(const std::string& text, Kind kind, const WorkBound& bound) {
  const double limit = kLongestSpan.seconds();
  const auto too_low = [&](const std::string& amount, const char* what, double seconds) {
    return "\"" + text + "\" is too low for this scenario: " + amount + " (an upper bound of the largest " + what +
           " the model and run imply) would take " + seconds_text(seconds) + ", more than " + kLongestSpanText +
           " of simulated time (the longest single span shardsim accepts)";
  };
  switch (kind) {
    case Kind::duration:
      if (parse_time(text) > kLongestSpan) {
        return "\"" + text + "\" is longer than " + std::string(kLongestSpanText) +
               ", the longest single duration shardsim accepts (simulated time is int64 picoseconds: about 106 "
               "days in all)";
      }
      return std::nullopt;
    case Kind::transfer_rate:
    case Kind::memory_rate: {
      const double rate = parse_byte_rate(text).per_second;
      if (!(rate > 0) || bound.bytes / rate <= limit) return std::nullopt;
      return too_low(format_bytes(Bytes{static_cast<std::int64_t>(std::min(bound.bytes, 9e18))}),
                     kind == Kind::transfer_rate ? "transfer" : "op's memory traffic", bound.bytes / rate);
    }
    case Kind::flop_rate: {
      const double rate = parse_flop_rate(text).per_second;
      if (!(rate > 0) || bound.flops / rate <= limit) return std::nullopt;
      char flops[64];
      std::snprintf(flops, sizeof flops, "%.3g FLOP", bound.flops);
      return too_low(flops, "op", bound.flops / rate);
    }
    case Kind::other: return std::nullopt;
  }
  return std::nullopt;
}

// Collects every quantity below `node` whose key names a duration or a rate, with its dotted path and position.
void collect(const toml::node& node, const std::string& file, const std::string& path, std::string_view key,
             std::string_view parent, std::vector<SpanSite>& out) {
  if (const toml::table* t = node.as_table()) {
    for (const auto& [k, v] : *t) {
      collect(v, file, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()), k.str(), key, out);
    }
    return;
  }
  if (const toml::array* a = node.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      // An array of values (uplink_bandwidth = [...]) keeps its key's meaning; an array of tables starts afresh.
      collect((*a)[i], file, path + "." + std::to_string(i), (*a)[i].is_table() ? std::string_view{} : key, parent,
              out);
    }
    return;
  }
  const auto text = node.value_exact<std::string>();
  const Kind kind = kind_of(key, parent);
  if (text && kind != Kind::other) out.push_back(SpanSite{position(node, file), path, *text, static_cast<int>(kind)});
}

void collect_file(const toml::table& table, const std::string& file, std::vector<SpanSite>& out) {
  if (const toml::array* includes = table["include"].as_array()) {
    for (const toml::node& entry : *includes) {
      const auto name = entry.value_exact<std::string>();
      if (!name) continue;
      const std::string path = resolve_relative(file, *name);
      collect_file(parse_toml_file(path, position(entry, file)), path, out);
    }
  }
  collect(table, file, "", "", "", out);
}

}  // namespace

WorkBound work_bound(const Scenario& s) {
  return s.transformer ? transformer_bound(*s.transformer, s.run) : mlp_bound(s.model, s.run.batch);
}

std::vector<SpanSite> span_sites(const toml::table& table, const std::string& file) {
  std::vector<SpanSite> out;
  collect_file(table, file, out);
  return out;
}

std::vector<SpanSite> span_sites(const std::vector<NodeTypePatch>& patches) {
  std::vector<SpanSite> out;
  for (const NodeTypePatch& p : patches) {
    collect(p.fields, p.from.empty() ? "--set" : p.from, "node_types." + p.type, "", "", out);
  }
  return out;
}

std::set<std::string> used_node_types(const topo::Topology& topology) {
  std::set<std::string> types;
  const std::string* last = nullptr;  // most clusters are runs of one type: skip the lookup for a repeat
  for (int n = 0; n < topology.node_count(); ++n) {
    const std::string& type = topology.node(n).type;
    if (last && *last == type) continue;
    types.insert(type);
    last = &type;
  }
  return types;
}

void check_spans(const std::vector<SpanSite>& sites, const WorkBound& bound, const std::set<std::string>& used_types) {
  constexpr std::string_view prefix = "node_types.";
  // Whether `path` is inside a node type's table: of one the cluster uses (the type name may hold dots, so each used
  // name is tried as a whole).
  const auto unused_type = [&](const std::string& path) {
    if (!path.starts_with(prefix)) return false;
    const std::string_view rest = std::string_view(path).substr(prefix.size());
    return std::none_of(used_types.begin(), used_types.end(), [&](const std::string& type) {
      return rest.starts_with(type) && (rest.size() == type.size() || rest[type.size()] == '.');
    });
  };
  for (const SpanSite& site : sites) {
    if (unused_type(site.path)) continue;
    std::optional<std::string> wrong;
    try {
      wrong = problem(site.text, static_cast<Kind>(site.kind), bound);
    } catch (const UnitError&) {
      continue;  // not a quantity of its key's kind: the topology's own reading reports that
    }
    if (wrong) throw InputError(site.pos, site.path + ": " + *wrong);
  }
}

}  // namespace shardsim::scenario
