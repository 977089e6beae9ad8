#pragma once
// What the cluster running a plan costs to buy and to run: the price of the nodes the plan uses and of the
// switches that carried its traffic, and the energy of one token (or training step) over the simulated window.
// A node draws its busy power for the time its compute ops ran (exec::NodeStats::compute_busy, clamped to the
// window) and its idle power for the rest; a switch its busy power while its busiest attached link direction
// serialized and its idle power otherwise. Nodes the plan leaves out, and switches no byte of the step crossed,
// are taken as switched off (and not bought). Units: watts, joules, and the user's currency.

#include <optional>
#include <string>
#include <vector>

#include "shardsim/exec/run_stats.hpp"
#include "shardsim/hw/power_spec.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::report {

struct ClusterPower {
  int nodes = 0;     // distinct nodes the plan uses
  int switches = 0;  // switches the step's traffic crossed
  // Energy of the window and its average power: set when every node used gives power_idle and power_busy.
  std::optional<double> joules;
  std::optional<double> average_watts;
  int switches_without_power = 0;  // counted switches that give no power (left out of the energy)
  // The summed price: set when every node used gives a price and all prices share one currency.
  std::optional<hw::Price> price;
  int switches_without_price = 0;
  std::string note;  // why a figure is missing, for the report

  bool any() const { return joules.has_value() || price.has_value() || !note.empty(); }
};

// `window` is the simulated step (stats.token_latency).
ClusterPower cluster_power(const topo::Topology& topology, const std::vector<topo::NodeId>& plan_nodes,
                           const exec::RunStats& stats);

}  // namespace shardsim::report
