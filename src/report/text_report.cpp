// The text report, section by section: what was run, the seed notebook's layer figures (its own plan only), the
// generation, the token or training step with its critical path and traffic, memory per node, the busiest links.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "shardsim/plan/strategy.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::report {
namespace {

double figure(const Result& r, std::string_view name) { return r.figures.at(*metric_index(name)); }

Bytes figure_bytes(const Result& r, std::string_view name) {
  return Bytes{static_cast<std::int64_t>(figure(r, name))};
}

// "1 switch", "2 switches".
std::string count(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// Six significant digits, as rates are printed.
std::string sig6(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string pct(Time part, Time whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f%%",
                whole.ps > 0 ? 100.0 * static_cast<double>(part.ps) / static_cast<double>(whole.ps) : 0.0);
  return buf;
}

std::string row(std::string_view label, const std::string& a, const std::string& b = "", const std::string& c = "") {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-44s %18s %18s  %s", std::string(label).c_str(), a.c_str(), b.c_str(), c.c_str());
  std::string s(buf);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s + "\n";
}

// Link directions sorted by bytes carried, most first (ties by id, for determinism).
std::vector<std::size_t> busiest_links(const Result& r) {
  std::vector<std::size_t> order(r.stats.links.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return r.stats.links[a].wire_bytes > r.stats.links[b].wire_bytes;
  });
  return order;
}

plan::Model model_of(const RunInputs& in) {
  return in.transformer ? plan::Model{nullptr, &*in.transformer} : plan::Model{&in.model, nullptr};
}

// scenario, topology, network, model and plan lines.
void write_inputs(std::ostream& out, const Result& r) {
  const RunInputs& in = r.inputs;
  const topo::Topology& topology = *in.topology;
  out << "scenario  " << in.scenario_path << "\n";
  out << "topology  " << in.topology_path << ": " << count(topology.node_count(), "node", "nodes") << ", "
      << count(topology.switch_count(), "switch", "switches") << ", " << count(topology.link_count(), "link", "links")
      << "\n";
  out << "network   "
      << (in.network.model == net::NetworkModelKind::fair ? "fair (max-min shared flows)" : "fifo store-and-forward")
      << ", " << in.network.mtu.count << " B payload per frame + " << in.network.frame_overhead.count
      << " B framing\n";
  if (const auto& t = in.transformer) {
    out << "model     " << (in.model_preset.empty() ? "custom" : in.model_preset) << ": transformer, d_model "
        << t->d_model << ", " << count(t->layers, "layer", "layers") << ", " << t->heads << " heads ("
        << t->resolved_kv_heads() << " KV), d_ff " << t->d_ff << " (" << workload::to_string(t->mlp) << ")";
    if (t->experts > 1) out << ", " << t->experts << " experts (" << t->experts_per_token << " per token)";
    out << "; weights " << hw::to_string(t->weight_format) << ", KV cache " << hw::to_string(t->kv_format)
        << ", activations " << hw::to_string(t->activation_format) << "\n";
  } else {
    const workload::ModelSpec& m = in.model;
    out << "model     " << (in.model_preset.empty() ? "mlp" : in.model_preset) << ": d_model " << m.d_model
        << ", d_ff " << m.d_ff << ", " << count(m.layers, "layer", "layers") << ", "
        << count(m.experts, "expert", "experts") << " (" << m.experts_per_token << " per token), "
        << workload::to_string(m.dtype) << "\n";
  }
  out << "plan      " << plan::strategy_of(in.plan).describe(model_of(in), in.plan, in.run);
  if (const auto& train = in.run.training) {
    out << "\n          " << workload::to_string(train->optimizer.optimizer) << ", "
        << (train->optimizer.precision == workload::Precision::mixed ? "mixed precision (bf16, fp32 master)" : "fp32")
        << (train->recompute ? ", activations recomputed" : "") << "; batch " << in.run.batch << " sequences of "
        << train->seq_len << " tokens; gradient buckets of " << format_bytes(in.plan.gradient_bucket)
        << (in.plan.overlap_gradients ? ", overlapped with the backward" : ", after the backward");
  }
  out << "\n";
  for (const std::string& w : input_warnings(r)) out << "WARNING   " << w << "\n";
  out << "\n";
}

// The seed notebook's `info` figures for one layer of one expert, beside their closed forms.
void write_layer_figures(std::ostream& out, const Result& r) {
  const double v = static_cast<double>(workload::bytes_per_value(r.inputs.model.dtype));
  out << "One layer of one expert (the seed notebook's figures)\n";
  out << row("", "elements", "bytes", "closed form (elements)");
  out << row("total params", num(figure(r, "layer_params")), num(figure(r, "layer_params") * v));
  out << row("params per node (largest shard)", num(figure(r, "layer_params_per_node")),
             num(figure(r, "layer_params_per_node") * v));
  char fraction[64];
  std::snprintf(fraction, sizeof fraction, "%.10g", figure(r, "fraction"));
  out << row("fraction", fraction);
  out << row("memory traffic (internal_bandwidth)", num(figure(r, "layer_memory_traffic_elements")),
             num(figure(r, "layer_memory_traffic_bytes")), std::to_string(r.closed_form->internal_bandwidth_params));
  out << row("payload delivered (cross_machine_bandwidth)", num(figure(r, "layer_payload_delivered_elements")),
             num(figure(r, "layer_payload_delivered_bytes")),
             std::to_string(r.closed_form->cross_machine_bandwidth_params));
  out << "\n";
}

void write_generation(std::ostream& out, const Result& r, const exec::Generation& g) {
  const RunInputs& in = r.inputs;
  out << "Generation (" << in.run.prompt_tokens << " prompt tokens, " << in.run.generated_tokens
      << " generated, batch " << in.run.batch << ")\n";
  out << row("time to first token (prefill)", format_time(g.time_to_first_token));
  char line[160];
  std::snprintf(line, sizeof line, "%lld steps, context %lld..%lld", static_cast<long long>(g.decode.size()),
                static_cast<long long>(in.run.prompt_tokens + 1), static_cast<long long>(in.run.context));
  out << row("decode steps (tokens 2..)", line);
  out << row("  mean", format_time(Time::from_seconds(figure(r, "decode_latency_mean"))));
  out << row("  min / median", format_time(g.decode_quantile(1.0 / static_cast<double>(g.decode.size()))),
             format_time(g.decode_quantile(0.5)));
  out << row("  p95 / max", format_time(g.decode_quantile(0.95)), format_time(g.decode_quantile(1.0)));
  out << row("decode tokens/s", sig6(figure(r, "decode_tokens_per_second")));
  out << row("whole generation", format_time(Time::from_seconds(figure(r, "generation_time"))));
  out << "\n";
}

// The training step's time, throughput and its critical path by phase.
void write_training_step(std::ostream& out, const Result& r) {
  const Time latency = r.stats.token_latency;
  out << "One training step\n";
  out << row("step time", format_time(latency));
  out << row("tokens/s (training)", sig6(figure(r, "training_tokens_per_second")));
  char line[64];
  std::snprintf(line, sizeof line, "%.2f %%", 100 * figure(r, "mfu"));
  out << row("model FLOPs utilization", line, num(figure(r, "model_flops")) + " FLOP", "of the nodes' flop_rate");
  // The critical path by the phase of the ops it runs through: what is exposed of each.
  const exec::PhaseTimes& ph = r.stats.phases;
  out << "  by phase (critical path):\n";
  out << row("  forward", format_time(ph[plan::Phase::forward]), pct(ph[plan::Phase::forward], latency));
  out << row("  backward (recomputation included)", format_time(ph[plan::Phase::backward]),
             pct(ph[plan::Phase::backward], latency));
  out << row("  gradient sync (exposed)", format_time(ph[plan::Phase::gradient_sync]),
             pct(ph[plan::Phase::gradient_sync], latency));
  out << row("  optimizer", format_time(ph[plan::Phase::optimizer]), pct(ph[plan::Phase::optimizer], latency));
}

// One token (or step): its latency, where the critical path's time went, and the traffic.
void write_token(std::ostream& out, const Result& r) {
  const RunInputs& in = r.inputs;
  const workload::ModelSpec& m = in.model;
  const Time latency = r.stats.token_latency;
  const std::int64_t layer_runs = in.transformer ? in.transformer->layers : m.layers * m.experts_per_token;
  if (in.run.training) {
    write_training_step(out, r);
  } else {
    if (in.transformer && r.generation) {
      out << "The last decode step (context " << in.run.context << ": " << count(layer_runs, "layer", "layers")
          << " and the LM head)\n";
    } else if (in.transformer) {
      out << "One token (one decode step: " << count(layer_runs, "layer", "layers") << " and the LM head)\n";
    } else {
      out << "One token (" << count(m.layers, "layer", "layers") << " x "
          << count(m.experts_per_token, "expert", "experts") << " = "
          << count(layer_runs, "expert layer", "expert layers") << ")\n";
    }
    out << row("token latency", format_time(latency));
    out << row("tokens/s", sig6(figure(r, "tokens_per_second")));
  }
  const exec::Breakdown& cp = r.stats.critical_path;
  out << "  critical path:\n";
  out << row("  compute (arithmetic-bound)", format_time(cp.compute), pct(cp.compute, latency));
  out << row("  compute (memory-bound)", format_time(cp.memory), pct(cp.memory, latency));
  out << row("  software overhead (ops, messages)", format_time(cp.overhead), pct(cp.overhead, latency));
  out << row("  latency (links, switches)", format_time(cp.latency), pct(cp.latency, latency));
  out << row("  serialization (bytes on links)", format_time(cp.serialization), pct(cp.serialization, latency));
  out << row("  waiting (queued for CPU or link)", format_time(cp.waiting), pct(cp.waiting, latency));
  auto traffic = [&](std::string_view label, std::string_view name) {
    out << row(label, format_bytes(figure_bytes(r, name)), num(figure(r, name)) + " B");
  };
  traffic("memory traffic", "memory_traffic_bytes");
  traffic("payload delivered", "payload_delivered_bytes");
  traffic("payload sent over the network", "payload_sent_bytes");
  traffic("bytes on the wire (all link directions)", "wire_bytes");
  out << row("messages", num(figure(r, "transfers")));
  out << "\n";
}

void write_memory(std::ostream& out, const Result& r) {
  const RunInputs& in = r.inputs;
  const hw::NodeSpec& root = in.topology->node(r.plan_nodes.at(0));
  out << "Memory per node\n";
  const double streamed = figure(r, "storage_read_bytes");
  out << row(in.run.training ? "largest share (all of the below)" : "largest share (weights + activations)",
             format_bytes(figure_bytes(r, "max_resident_bytes")), "of " + format_bytes(root.usable_ram()) + " usable",
             figure(r, "fits") > 0 ? "fits" : streamed > 0 ? "does not fit: the rest streams from storage" : "DOES NOT FIT");
  if (root.os_reserve.count > 0) {
    out << row("  (RAM " + format_bytes(root.ram) + " less an OS reserve of " + format_bytes(root.os_reserve) + ")", "");
  }
  if (streamed > 0) {
    out << row("read from storage per token", format_bytes(figure_bytes(r, "storage_read_bytes")),
               root.storage_bandwidth ? "at " + format_byte_rate(*root.storage_bandwidth) : "");
  }
  out << row("params per node (all layers and experts)", num(figure(r, "params_per_node")));
  if (in.transformer) {
    // The node holding the most: its weights, KV cache (context x batch) and activations.
    std::size_t fullest = 0;
    for (std::size_t i = 1; i < r.footprint.size(); ++i) {
      if (r.footprint[i].total() > r.footprint[fullest].total()) fullest = i;
    }
    const plan::RankFootprint& f = r.footprint[fullest];
    out << row("  the fullest node's weights", format_bytes(f.weights));
    if (in.run.training) {
      out << row("  its gradients", format_bytes(f.gradients));
      out << row("  its optimizer state", format_bytes(f.optimizer), "", "fp32 master copy and moments");
    } else {
      out << row("  its KV cache", format_bytes(f.kv_cache));
    }
    out << row("  its activations", format_bytes(f.activations));
  }
  out << row("total params", num(figure(r, "total_params")),
             format_bytes(in.transformer ? workload::weight_bytes(*in.transformer) : in.model.total_weight_bytes()));
  out << row("fewest " + root.type + " nodes that hold the weights", num(figure(r, "min_nodes_for_weights")), "",
             "ceil(weight bytes / usable RAM)");
  if (!in.transformer) {
    out << row("  the notebook's estimate", num(figure(r, "seed_min_nodes")), "",
               "params_in_billions * bytes // RAM_GB (a floor)");
  }
  out << "\n";
}

// The cluster's price and what one token (step) costs in energy; only when the topology gives such figures.
void write_power(std::ostream& out, const Result& r) {
  const ClusterPower& p = r.power;
  if (!p.any()) return;
  out << "Power and price (" << count(p.nodes, "node", "nodes") << " the plan uses, "
      << count(p.switches, "switch", "switches") << " its traffic crosses)\n";
  char line[96];
  if (p.price) {
    std::snprintf(line, sizeof line, "%.2f %s", p.price->amount, p.price->currency.c_str());
    out << row("cluster price", line, "",
               p.switches_without_price > 0 ? count(p.switches_without_price, "switch", "switches") + " without a price"
                                            : "");
  }
  if (p.joules) {
    const std::string step = r.inputs.run.training ? "step" : "token";
    std::snprintf(line, sizeof line, "%.3f W", *p.average_watts);
    out << row("average power over the " + step, line, "",
               p.switches_without_power > 0
                   ? count(p.switches_without_power, "switch", "switches") + " without power figures"
                   : "busy x power_busy + idle x power_idle");
    std::snprintf(line, sizeof line, "%.4g J", figure(r, "energy_per_token"));
    out << row("energy per token", line);
    out << row("tokens per joule", sig6(figure(r, "tokens_per_joule")));
  }
  if (!p.note.empty()) out << "  (" << p.note << ")\n";
  out << "\n";
}

// Another collective or runtime version that moves the detailed step's latency by more than 10 %, fastest first.
void write_alternatives(std::ostream& out, const Result& r) {
  const Time latency = r.stats.token_latency;
  if (!r.alternatives_skipped.empty()) out << "\nOther choices: " << r.alternatives_skipped << "\n";
  std::vector<Alternative> shown;
  for (const Alternative& a : r.alternatives) {
    if (std::abs(relative_change(a.latency, latency)) > 0.10) shown.push_back(a);
  }
  if (shown.empty()) return;
  std::stable_sort(shown.begin(), shown.end(),
                   [](const Alternative& x, const Alternative& y) { return x.latency < y.latency; });
  out << "\nWorth knowing: another choice moves the " << (r.inputs.run.training ? "step time" : "token latency")
      << " (" << format_time(latency) << ") by more than 10 %\n";
  for (const Alternative& a : shown) {
    const std::string chosen = a.key == "plan.collective"
                                   ? std::string(collective::to_string(r.inputs.plan.algorithm))
                                   : r.inputs.plan.runtime.version;
    char change[32];
    std::snprintf(change, sizeof change, "%+.1f %%", 100 * relative_change(a.latency, latency));
    out << "  " << a.key << " = \"" << a.value << "\": " << format_time(a.latency) << " (" << change
        << ") instead of \"" << chosen << "\"" << (a.chosen_by_user ? "" : " (the default)") << "\n";
  }
}

void write_links(std::ostream& out, const Result& r) {
  out << "Busiest link directions\n";
  const auto order = busiest_links(r);
  for (std::size_t i = 0; i < std::min<std::size_t>(5, order.size()); ++i) {
    const exec::LinkStats& l = r.stats.links[order[i]];
    if (l.wire_bytes.count == 0) break;
    out << row(r.inputs.topology->dir_link_name(static_cast<topo::DirLinkId>(order[i])), format_bytes(l.wire_bytes),
               "busy " + format_time(l.busy),
               pct(l.busy, r.stats.token_latency) + (r.inputs.run.training ? " of the step" : " of the token"));
  }
}

}  // namespace

void write_text(std::ostream& out, const Result& r) {
  write_inputs(out, r);
  if (r.closed_form) write_layer_figures(out, r);
  if (r.generation) write_generation(out, r, *r.generation);
  write_token(out, r);
  write_memory(out, r);
  write_power(out, r);
  write_links(out, r);
  write_alternatives(out, r);
}

}  // namespace shardsim::report
