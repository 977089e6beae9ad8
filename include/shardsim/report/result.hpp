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
#include "shardsim/report/cluster_power.hpp"
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

// A choice the user made or left at its default, tried the other way: the plan's collective algorithm, or a
// runtime's version. `latency` is the token (or step) latency it gives; reports list those that change it by more
// than 10 %.
struct Alternative {
  std::string key;    // "plan.collective", "plan.runtime_version"
  std::string value;  // "ring", "0.7.1"
  bool chosen_by_user = false;  // the scenario gives the key (else the value compared against is a default)
  Time latency;
};

// (alternative - base) / base, as a fraction.
inline double relative_change(Time alternative, Time base) {
  return static_cast<double>((alternative - base).ps) / static_cast<double>(base.ps);
}

struct Result {
  RunInputs inputs;
  std::optional<exec::Generation> generation;  // set when the scenario generates
  // One layer of one expert, in the seed notebook's terms: only for plans that have these figures (its own).
  std::optional<plan::SeedLayerFigures> closed_form;
  std::vector<plan::RankFootprint> footprint;  // per plan rank
  std::vector<plan::NodeId> plan_nodes;    // plan rank -> node
  exec::RunStats stats;
  std::vector<double> figures;  // indexed like metric_catalog()
  ClusterPower power;           // price, power and energy of the step
  // What another choice gives (filled by study::alternatives when the report is for a person), or why the other
  // choices were not simulated.
  std::vector<Alternative> alternatives;
  std::string alternatives_skipped;
};

// Computes the catalog figures. `plan` is the workload the stats were measured on (the decode step at
// inputs.run.context); `generation`, when given, the whole generation's latencies.
Result make_result(RunInputs inputs, const plan::PlannedWorkload& plan, exec::RunStats stats,
                   std::optional<exec::Generation> generation = std::nullopt);

// The notebook's estimate of how many machines hold the weights: floor(params_in_billions * bytes / ram_in_GB).
// What the user should know about the inputs, though the run is valid: a context beyond the model's max_context
// (positions it was never trained for; the KV cache is sized for it all the same). Empty when nothing is amiss.
std::vector<std::string> input_warnings(const Result& result);

std::int64_t seed_min_nodes(std::int64_t total_params, std::int64_t bytes_per_value, Bytes ram);

}  // namespace shardsim::report
