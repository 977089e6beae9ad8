#include "shardsim/report/cluster_power.hpp"

#include <algorithm>
#include <set>

namespace shardsim::report {
namespace {

// Adds `p` to `sum` unless the currencies differ; false then.
bool add_price(std::optional<hw::Price>& sum, const hw::Price& p) {
  if (!sum) {
    sum = p;
    return true;
  }
  if (sum->currency != p.currency) return false;
  sum->amount += p.amount;
  return true;
}

}  // namespace

ClusterPower cluster_power(const topo::Topology& topology, const std::vector<topo::NodeId>& plan_nodes,
                           const exec::RunStats& stats) {
  ClusterPower out;
  const Time window = stats.token_latency;
  const std::set<topo::NodeId> used(plan_nodes.begin(), plan_nodes.end());
  out.nodes = static_cast<int>(used.size());

  bool power_known = true, price_known = true, any_given = false;
  double joules = 0;
  std::optional<hw::Price> price;
  std::string mixed;  // a currency that does not add to the others
  for (const topo::NodeId n : used) {
    const hw::NodeSpec& spec = topology.node(n);
    any_given = any_given || spec.power.known() || spec.price.has_value();
    if (spec.power.known()) {
      joules += hw::energy_joules(spec.power, stats.nodes.at(static_cast<std::size_t>(n)).compute_busy, window);
    } else {
      power_known = false;
    }
    if (!spec.price) {
      price_known = false;
    } else if (!add_price(price, *spec.price)) {
      mixed = spec.price->currency;
    }
  }

  // A switch counts when a byte of the step crossed one of its links; it is busy while its busiest link
  // direction serializes (an unmanaged switch's draw follows its ports' activity, not its backplane's).
  std::vector<Time> switch_busy(static_cast<std::size_t>(topology.vertex_count()));
  std::vector<bool> crossed(static_cast<std::size_t>(topology.vertex_count()), false);
  for (std::size_t d = 0; d < stats.links.size(); ++d) {
    const exec::LinkStats& l = stats.links[d];
    if (l.wire_bytes.count == 0) continue;
    for (const topo::VertexId v : {topology.dir_link_tail(static_cast<topo::DirLinkId>(d)),
                                   topology.dir_link_head(static_cast<topo::DirLinkId>(d))}) {
      crossed[static_cast<std::size_t>(v)] = true;
      switch_busy[static_cast<std::size_t>(v)] = std::max(switch_busy[static_cast<std::size_t>(v)], l.busy);
    }
  }
  for (topo::VertexId v = 0; v < topology.vertex_count(); ++v) {
    const auto* sw = std::get_if<hw::SwitchSpec>(&topology.vertex(v).spec);
    if (!sw || !crossed[static_cast<std::size_t>(v)]) continue;
    ++out.switches;
    any_given = any_given || sw->power.known() || sw->price.has_value();
    if (sw->power.known()) {
      joules += hw::energy_joules(sw->power, switch_busy[static_cast<std::size_t>(v)], window);
    } else {
      ++out.switches_without_power;
    }
    if (!sw->price) {
      ++out.switches_without_price;
    } else if (!add_price(price, *sw->price)) {
      mixed = sw->price->currency;
    }
  }
  if (!any_given) return out;
  if (power_known && window.ps > 0) {
    out.joules = joules;
    out.average_watts = joules / window.seconds();
  } else if (!power_known) {
    out.note = "a node the plan uses gives no power_idle and power_busy";
  }
  if (price_known && mixed.empty()) {
    out.price = price;
  } else {
    if (!out.note.empty()) out.note += "; ";
    out.note += mixed.empty() ? "a node the plan uses gives no price"
                              : "prices in " + price->currency + " and " + mixed + " do not add";
  }
  return out;
}

}  // namespace shardsim::report
