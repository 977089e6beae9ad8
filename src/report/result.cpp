#include "shardsim/report/result.hpp"

#include <algorithm>
#include <cmath>

#include "shardsim/plan/strategy.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/workload/training_cost.hpp"

namespace shardsim::report {

std::int64_t seed_min_nodes(std::int64_t total_params, std::int64_t bytes_per_value, Bytes ram) {
  // (params / 1e9) * bytes // (ram / 1e9) is floor(params * bytes / ram); in integers to avoid rounding.
  return total_params * bytes_per_value / ram.count;
}

Result make_result(RunInputs inputs, const plan::PlannedWorkload& plan, exec::RunStats stats,
                   std::optional<exec::Generation> generation) {
  Result r;
  r.inputs = std::move(inputs);
  r.generation = std::move(generation);
  const workload::ModelSpec& model = r.inputs.model;
  const topo::Topology& topology = *r.inputs.topology;
  const bool mlp = !r.inputs.transformer.has_value();
  // The seed notebook's per-layer figures exist for its own plan of its MLP stack; other runs leave them at zero.
  const plan::Model planned_model{mlp ? &model : nullptr, mlp ? nullptr : &*r.inputs.transformer};
  r.closed_form = plan::strategy_of(r.inputs.plan).layer_figures(planned_model, r.inputs.plan, r.inputs.run.batch);
  const bool seed = r.closed_form.has_value();
  const plan::SeedLayerFigures layer = r.closed_form.value_or(plan::SeedLayerFigures{});
  r.footprint = plan.footprint;
  r.plan_nodes = plan.nodes;
  r.stats = std::move(stats);

  const std::int64_t v = seed ? workload::bytes_per_value(model.dtype) : 1;
  const std::int64_t layer_runs = seed ? model.layers * model.experts_per_token : 1;  // seed layers per token
  Bytes memory_read, delivered, sent, wire, storage;
  for (const exec::NodeStats& n : r.stats.nodes) {
    memory_read += n.memory_read;
    storage += n.storage_read;
    delivered += n.payload_delivered;
    sent += n.payload_sent;
  }
  for (const exec::LinkStats& l : r.stats.links) wire += l.wire_bytes;
  require(!seed || (memory_read.count % layer_runs == 0 && delivered.count % layer_runs == 0),
          "per-token traffic is not a whole number of layers");

  std::int64_t params_per_node = 0;
  Bytes max_resident;
  bool fits = true;
  for (std::size_t i = 0; i < r.footprint.size(); ++i) {
    params_per_node = std::max(params_per_node, r.footprint[i].params);
    max_resident = std::max(max_resident, r.footprint[i].total());
    fits = fits && r.footprint[i].total() <= topology.node(r.plan_nodes[i]).usable_ram();
  }
  const Bytes ram = topology.node(r.plan_nodes.at(0)).ram;
  const Bytes usable = topology.node(r.plan_nodes.at(0)).usable_ram();
  const Bytes weights = mlp ? model.total_weight_bytes() : workload::weight_bytes(*r.inputs.transformer);
  const std::int64_t total_params =
      mlp ? model.total_params() : workload::param_counts(*r.inputs.transformer).total();

  const exec::Breakdown& cp = r.stats.critical_path;
  const double latency = r.stats.token_latency.seconds();
  r.figures.assign(metric_catalog().size(), 0.0);
  auto set = [&r](std::string_view name, double value) {
    const auto i = metric_index(name);
    require(i.has_value(), "unknown metric in make_result");
    r.figures[*i] = value;
  };
  auto d = [](std::int64_t x) { return static_cast<double>(x); };
  set("nodes", r.inputs.plan.nodes);
  set("total_params", d(total_params));
  set("params_per_node", d(params_per_node));
  set("layer_params", d(mlp ? 2 * model.d_model * model.d_ff
                            : workload::param_counts(*r.inputs.transformer).layer_total()));
  set("layer_params_per_node", d(layer.machine_params));
  set("fraction", layer.fraction);
  if (seed) {
    set("layer_memory_traffic_elements", d(memory_read.count / layer_runs / v));
    set("layer_memory_traffic_bytes", d(memory_read.count / layer_runs));
    set("layer_payload_delivered_elements", d(delivered.count / layer_runs / v));
    set("layer_payload_delivered_bytes", d(delivered.count / layer_runs));
  }
  if (mlp) set("seed_min_nodes", d(seed_min_nodes(model.total_params(), workload::bytes_per_value(model.dtype), ram)));
  set("token_latency", latency);
  set("tokens_per_second", latency > 0 ? static_cast<double>(r.inputs.run.batch) / latency : 0.0);
  set("cp_compute", cp.compute.seconds());
  set("cp_memory", cp.memory.seconds());
  set("cp_overhead", cp.overhead.seconds());
  set("cp_latency", cp.latency.seconds());
  set("cp_serialization", cp.serialization.seconds());
  set("cp_waiting", cp.waiting.seconds());
  set("memory_traffic_bytes", d(memory_read.count));
  set("payload_delivered_bytes", d(delivered.count));
  set("payload_sent_bytes", d(sent.count));
  set("wire_bytes", d(wire.count));
  set("max_resident_bytes", d(max_resident.count));
  set("fits", fits ? 1.0 : 0.0);
  set("storage_read_bytes", d(storage.count));
  set("min_nodes_for_weights", d((weights.count + usable.count - 1) / usable.count));
  set("transfers", d(static_cast<std::int64_t>(r.stats.transfers)));
  if (const auto& train = r.inputs.run.training) {
    const workload::TransformerSpec& spec = *r.inputs.transformer;
    const double tokens = static_cast<double>(r.inputs.run.batch * train->seq_len);
    const double model_flops = static_cast<double>(workload::training_flops(spec, r.inputs.run.batch, train->seq_len).count);
    double peak = 0;  // FLOP/s of every node the plan uses
    for (plan::NodeId n : r.plan_nodes) peak += topology.node(n).flop_rate.per_second;
    set("step_time", latency);
    set("training_tokens_per_second", latency > 0 ? tokens / latency : 0.0);
    set("model_flops", model_flops);
    set("mfu", latency > 0 && peak > 0 ? model_flops / (latency * peak) : 0.0);
    const exec::PhaseTimes& ph = r.stats.phases;
    set("step_forward", ph[plan::Phase::forward].seconds());
    set("step_backward", ph[plan::Phase::backward].seconds());
    set("step_gradient_sync", ph[plan::Phase::gradient_sync].seconds());
    set("step_optimizer", ph[plan::Phase::optimizer].seconds());
  }
  // Price and energy: 0 where a node (or a currency) leaves them unknown, as figures a run does not have are in
  // sweep tables; the text and JSON reports leave them out.
  r.power = cluster_power(topology, r.plan_nodes, r.stats);
  const double unknown = 0.0;
  const double step_tokens = static_cast<double>(r.inputs.run.batch) *
                             static_cast<double>(r.inputs.run.training ? r.inputs.run.training->seq_len : 1);
  set("cluster_price", r.power.price ? r.power.price->amount : unknown);
  set("average_power", r.power.average_watts.value_or(unknown));
  set("energy_per_token", r.power.joules ? *r.power.joules / step_tokens : unknown);
  set("tokens_per_joule", r.power.joules && *r.power.joules > 0 ? step_tokens / *r.power.joules : unknown);
  if (r.generation) {
    const exec::Generation& g = *r.generation;
    const auto batch = static_cast<double>(r.inputs.run.batch);
    const auto steps = static_cast<double>(g.decode.size());
    const double decode = g.decode_total().seconds();
    set("time_to_first_token", g.time_to_first_token.seconds());
    set("decode_latency_mean", decode / steps);
    set("decode_latency_min", g.decode_quantile(1.0 / steps).seconds());
    set("decode_latency_median", g.decode_quantile(0.5).seconds());
    set("decode_latency_p95", g.decode_quantile(0.95).seconds());
    set("decode_latency_max", g.decode_quantile(1.0).seconds());
    set("decode_tokens_per_second", decode > 0 ? batch * steps / decode : 0.0);
    set("generation_time", g.time_to_first_token.seconds() + decode);
  }
  return r;
}

std::vector<std::string> input_warnings(const Result& r) {
  std::vector<std::string> out;
  const RunInputs& in = r.inputs;
  if (in.transformer && !in.run.training) {
    // For a generation, `context` is its last step's: prompt + generated - 1 (run_options.hpp).
    const std::int64_t context = in.run.context;
    if (context > in.transformer->max_context) {
      out.push_back("context " + std::to_string(context) + " tokens is above the model's max_context " +
                    std::to_string(in.transformer->max_context) +
                    ": positions it was never trained for (simulated all the same, KV cache included)");
    }
  }
  return out;
}

}  // namespace shardsim::report
