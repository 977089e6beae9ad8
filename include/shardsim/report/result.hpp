#pragma once
// Everything one run produced, gathered for the writers: the scenario's inputs that reports echo, the plan's
// closed forms, the simulated statistics, and the catalog figures (util/metric.hpp) computed from them.

#include <optional>
#include <string>
#include <vector>

#include "shardsim/exec/generation.hpp"
#include "shardsim/exec/run_stats.hpp"
#include "shardsim/net/network_model.hpp"
#include "shardsim/plan/planned_workload.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/util/metric.hpp"
#include "shardsim/workload/model_spec.hpp"
#include "shardsim/workload/transformer_spec.hpp"
#include "shardsim/workload/run_options.hpp"

namespace shardsim::report {

struct RunInputs {
  std::string scenario_path;
  std::string topology_path;
  std::string model_preset;
  const topo::Topology* topology = nullptr;
  workload::ModelSpec model;
  plan::PlanSpec plan;
  workload::RunOptions run;
  net::NetworkOptions network;
  std::optional<workload::TransformerSpec> transformer;  // set instead of `model` for transformer plans
};

struct Result {
  RunInputs inputs;
  std::optional<exec::Generation> generation;  // set when the scenario generates
  // One layer of one expert, in the seed notebook's terms: only for plans that have these figures (its own).
  std::optional<plan::SeedLayerFigures> closed_form;
  std::vector<plan::RankFootprint> footprint;  // per plan rank
  std::vector<plan::NodeId> plan_nodes;    // plan rank -> node
  exec::RunStats stats;
  std::vector<double> figures;  // indexed like metric_catalog()
};

// Computes the catalog figures. `plan` is the workload the stats were measured on (the decode step at
// inputs.run.context); `generation`, when given, the whole generation's latencies.
Result make_result(RunInputs inputs, const plan::PlannedWorkload& plan, exec::RunStats stats,
                   std::optional<exec::Generation> generation = std::nullopt);

// The notebook's estimate of how many machines hold the weights: floor(params_in_billions * bytes / ram_in_GB).
std::int64_t seed_min_nodes(std::int64_t total_params, std::int64_t bytes_per_value, Bytes ram);

}  // namespace shardsim::report
