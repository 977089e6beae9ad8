#include <toml++/toml.h>

#include "json_node.hpp"
#include "shardsim/report/writers.hpp"

namespace shardsim::report {
namespace {

// Every field of one run (README "JSON report" documents each with its unit).
toml::table json_run(const Result& r) {
  const auto& in = r.inputs;
  const topo::Topology& topology = *in.topology;
  toml::table figures;
  for (std::size_t i = 0; i < metric_catalog().size(); ++i) {
    const MetricInfo& info = metric_catalog()[i];
    if (generation_metric(info.name) && !r.generation) continue;
    if (training_metric(info.name) && !in.run.training) continue;
    if (power_metric(info.name) && !r.power.joules) continue;
    if (info.name == "cluster_price" && !r.power.price) continue;
    const double value = r.figures[i];
    if (info.unit == MetricUnit::count || info.unit == MetricUnit::bytes || info.unit == MetricUnit::flag) {
      figures.insert(info.name, static_cast<std::int64_t>(value));
    } else {
      figures.insert(info.name, value);
    }
  }
  const plan::SeedLayerFigures layer = r.closed_form.value_or(plan::SeedLayerFigures{});
  toml::table closed_form{
      {"layer_params", layer.total_params},
      {"layer_params_per_node", layer.machine_params},
      {"layer_memory_traffic_elements", layer.internal_bandwidth_params},
      {"layer_payload_delivered_elements", layer.cross_machine_bandwidth_params},
  };
  toml::array nodes;
  for (std::size_t i = 0; i < r.plan_nodes.size(); ++i) {
    const auto id = r.plan_nodes[i];
    const exec::NodeStats& n = r.stats.nodes[static_cast<std::size_t>(id)];
    const plan::RankFootprint& fp = r.footprint[i];
    nodes.push_back(toml::table{
        {"name", topology.node_name(id)},
        {"type", topology.node(id).type},
        {"ram_bytes", topology.node(id).ram.count},
        {"params", fp.params},
        {"weight_bytes", fp.weights.count},
        {"activation_bytes", fp.activations.count},
        {"kv_cache_bytes", fp.kv_cache.count},
        {"gradient_bytes", fp.gradients.count},
        {"optimizer_bytes", fp.optimizer.count},
        {"resident_bytes", fp.total().count},
        {"fits", fp.total() <= topology.node(id).usable_ram()},
        {"storage_read_bytes", n.storage_read.count},
        {"payload_sent_bytes", n.payload_sent.count},
        {"payload_received_bytes", n.payload_received.count},
        {"payload_delivered_bytes", n.payload_delivered.count},
        {"memory_read_bytes", n.memory_read.count},
        {"memory_written_bytes", n.memory_written.count},
        {"flops", n.flops.count},
        {"compute_busy_s", n.compute_busy.seconds()},
    });
  }
  toml::array links;
  for (std::size_t d = 0; d < r.stats.links.size(); ++d) {
    const exec::LinkStats& l = r.stats.links[d];
    if (l.wire_bytes.count == 0) continue;
    links.push_back(toml::table{
        {"link", topology.dir_link_name(static_cast<topo::DirLinkId>(d))},
        {"wire_bytes", l.wire_bytes.count},
        {"busy_s", l.busy.seconds()},
    });
  }
  toml::array blocks;
  for (const exec::BlockStats& b : r.stats.blocks) {
    blocks.push_back(toml::table{{"name", b.name}, {"repeat", b.repeat}, {"duration_s", b.duration.seconds()}});
  }
  toml::array alternatives;
  for (const Alternative& a : r.alternatives) {
    alternatives.push_back(toml::table{{"key", a.key},
                                       {"value", a.value},
                                       {"latency_s", a.latency.seconds()},
                                       {"change", relative_change(a.latency, r.stats.token_latency)}});
  }
  toml::array warnings;
  for (const std::string& w : input_warnings(r)) warnings.push_back(w);
  toml::table power{{"nodes", r.power.nodes}, {"switches", r.power.switches},
                    {"switches_without_power", r.power.switches_without_power},
                    {"switches_without_price", r.power.switches_without_price}};
  if (r.power.price) power.insert("currency", r.power.price->currency);
  if (!r.power.note.empty()) power.insert("note", r.power.note);
  toml::table doc{
      {"scenario", in.scenario_path},
      {"warnings", std::move(warnings)},
      {"topology", in.topology_path},
      {"figures", std::move(figures)},
      {"closed_form", std::move(closed_form)},
      {"blocks", std::move(blocks)},
      {"nodes", std::move(nodes)},
      {"links", std::move(links)},
      {"alternatives", std::move(alternatives)},
  };
  if (r.power.any()) doc.insert("power", std::move(power));
  return doc;
}

}  // namespace

void write_json(std::ostream& out, const Result& r) {
  toml::table doc = json_run(r);
  doc.insert("schema_version", kJsonSchemaVersion);
  write_json_node(out, doc, {"schema_version", "scenario", "topology", "warnings"});
  out << "\n";
}

void write_json_comparison(std::ostream& out, const std::string& scenario, const std::vector<const Result*>& runs) {
  toml::array array;
  for (const Result* r : runs) array.push_back(json_run(*r));
  toml::table doc{{"schema_version", kJsonSchemaVersion}, {"scenario", scenario}, {"runs", std::move(array)}};
  write_json_node(out, doc, {"schema_version", "scenario"});
  out << "\n";
}

}  // namespace shardsim::report
