#include "shardsim/util/metric.hpp"

#include <array>

namespace shardsim {
namespace {

// Per-layer figures are those of one expert's MLP in one layer: the seed notebook's `info` dictionary.
constexpr std::array<MetricInfo, 48> kCatalog{{
    {"nodes", MetricUnit::count, "nodes the plan uses"},
    {"total_params", MetricUnit::count, "parameters of the whole model (all layers and experts)"},
    {"params_per_node", MetricUnit::count, "parameters held by the node holding the most"},
    {"layer_params", MetricUnit::count, "parameters of one layer of one expert (seed: total_params)"},
    {"layer_params_per_node", MetricUnit::count, "largest shard of one layer of one expert (seed: machine_params)"},
    {"fraction", MetricUnit::ratio, "layer_params_per_node / layer_params (seed: fraction)"},
    {"layer_memory_traffic_elements", MetricUnit::count,
     "values read from RAM by one layer of one expert, all nodes (seed: internal_bandwidth_params)"},
    {"layer_memory_traffic_bytes", MetricUnit::bytes, "the same in bytes (seed: internal_bandwidth)"},
    {"layer_payload_delivered_elements", MetricUnit::count,
     "collective results held by nodes for one layer of one expert (seed: cross_machine_bandwidth_params)"},
    {"layer_payload_delivered_bytes", MetricUnit::bytes, "the same in bytes (seed: cross_machine_bandwidth)"},
    {"token_latency", MetricUnit::seconds, "simulated time of one token (one decode step of the batch)"},
    {"tokens_per_second", MetricUnit::rate, "batch / token_latency"},
    {"cp_compute", MetricUnit::seconds, "critical path: arithmetic-bound compute"},
    {"cp_memory", MetricUnit::seconds, "critical path: memory-bound compute"},
    {"cp_overhead", MetricUnit::seconds, "critical path: per-op and per-message software overhead"},
    {"cp_latency", MetricUnit::seconds, "critical path: link propagation and switch forwarding"},
    {"cp_serialization", MetricUnit::seconds, "critical path: bytes on links"},
    {"cp_waiting", MetricUnit::seconds, "critical path: queued behind other work"},
    {"memory_traffic_bytes", MetricUnit::bytes, "bytes read from RAM by compute ops for one token, all nodes"},
    {"payload_delivered_bytes", MetricUnit::bytes, "collective results held by nodes for one token"},
    {"payload_sent_bytes", MetricUnit::bytes, "payload sent over the network for one token (= received)"},
    {"wire_bytes", MetricUnit::bytes, "bytes on all link directions for one token, framing included"},
    {"max_resident_bytes", MetricUnit::bytes, "largest resident memory of a node (weights + activations)"},
    {"fits", MetricUnit::flag, "1 when every node's share fits in its usable RAM (RAM less its OS reserve)"},
    {"storage_read_bytes", MetricUnit::bytes,
     "weight and KV cache bytes read from storage for one token, all nodes (what did not fit in RAM, on nodes with storage)"},
    {"min_nodes_for_weights", MetricUnit::count, "fewest such nodes whose RAM holds all weights (ceiling)"},
    {"seed_min_nodes", MetricUnit::count, "the notebook's params_in_billions * bytes // ram_in_GB (a floor)"},
    {"transfers", MetricUnit::count, "point-to-point messages for one token"},
    {"time_to_first_token", MetricUnit::seconds, "generation: the prefill of the prompt, which yields token 1"},
    {"decode_latency_mean", MetricUnit::seconds, "generation: mean latency of the decode steps (tokens 2..)"},
    {"decode_latency_min", MetricUnit::seconds, "generation: fastest decode step"},
    {"decode_latency_median", MetricUnit::seconds, "generation: median decode step (nearest rank)"},
    {"decode_latency_p95", MetricUnit::seconds, "generation: 95th percentile decode step (nearest rank)"},
    {"decode_latency_max", MetricUnit::seconds, "generation: slowest decode step"},
    {"decode_tokens_per_second", MetricUnit::rate, "generation: batch x decode steps / their total time"},
    {"generation_time", MetricUnit::seconds, "generation: time to first token + every decode step"},
    {"step_time", MetricUnit::seconds, "training: one step (forward, backward, gradient sync, optimizer)"},
    {"training_tokens_per_second", MetricUnit::rate, "training: batch x seq_len / step_time"},
    {"model_flops", MetricUnit::count, "training: forward + backward FLOPs of the step's batch (no recompute, no optimizer)"},
    {"mfu", MetricUnit::ratio, "training: model_flops / (step_time x the nodes' summed flop_rate)"},
    {"step_forward", MetricUnit::seconds, "training: critical path through forward ops and their collectives"},
    {"step_backward", MetricUnit::seconds, "training: critical path through backward ops (recompute included)"},
    {"step_gradient_sync", MetricUnit::seconds, "training: exposed data-parallel communication on the critical path"},
    {"step_optimizer", MetricUnit::seconds, "training: critical path through the optimizer update"},
    {"cluster_price", MetricUnit::ratio,
     "price of the nodes the plan uses and the switches its traffic crossed, in the topology's currency"},
    {"average_power", MetricUnit::ratio,
     "watts over the token (step): per node busy time x power_busy + the rest x power_idle, and the switches"},
    {"energy_per_token", MetricUnit::ratio, "joules per token: average_power x token_latency / tokens of the step"},
    {"tokens_per_joule", MetricUnit::ratio, "1 / energy_per_token"},
}};

}  // namespace

std::span<const MetricInfo> metric_catalog() { return kCatalog; }

std::optional<std::size_t> metric_index(std::string_view name) {
  for (std::size_t i = 0; i < kCatalog.size(); ++i) {
    if (kCatalog[i].name == name) return i;
  }
  return std::nullopt;
}

std::string_view metric_symbol(std::string_view name) {
  const auto i = metric_index(name);
  if (!i) return "";
  switch (kCatalog[*i].unit) {
    case MetricUnit::seconds: return "s";
    case MetricUnit::bytes: return "B";
    case MetricUnit::rate: return "tokens/s";  // every rate in the catalog counts tokens
    case MetricUnit::count:
    case MetricUnit::flag: return "";
    case MetricUnit::ratio: break;
  }
  // The power figures are ratios in the catalog (plain numbers in tables and [expect]); their units are fixed.
  if (name == "average_power") return "W";
  if (name == "energy_per_token") return "J";
  if (name == "tokens_per_joule") return "tokens/J";
  return "";
}

}  // namespace shardsim

namespace shardsim {

bool training_metric(std::string_view name) {
  return name.starts_with("step_") || name == "training_tokens_per_second" || name == "model_flops" || name == "mfu";
}

bool power_metric(std::string_view name) {
  return name == "average_power" || name == "energy_per_token" || name == "tokens_per_joule";
}

bool generation_metric(std::string_view name) {
  return name == "time_to_first_token" || name.starts_with("decode_") || name == "generation_time";
}

}  // namespace shardsim
