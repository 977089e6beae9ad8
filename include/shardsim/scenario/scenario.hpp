#pragma once
// A scenario file, read and validated: the cluster (from the topology file it names, relative to itself), the
// model, the plan, how it is run, the network model, and the checks of its [expect] table. Everything a run needs
// and nothing it does not; after load() succeeds no user input can make a later stage fail.
//
// Overrides ("model.layers=24", "topology.star.0.nodes=64") are applied to the parsed TOML before validation, so
// they are checked exactly as if they had been written in the file.

#include <optional>
#include <string>
#include <vector>

#include "shardsim/net/network_model.hpp"
#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/scenario/sweep_axis.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/util/metric.hpp"
#include "shardsim/workload/model_spec.hpp"
#include "shardsim/workload/transformer_spec.hpp"
#include "shardsim/workload/run_options.hpp"

namespace shardsim::scenario {

struct Scenario {
  std::string path;           // the scenario file, as named by the user
  std::string topology_path;  // the topology file, resolved against the scenario's folder
  std::string model_preset;   // "" when the model is given only by its dimensions
  // A transformer ([transformer] table) instead of the seed's MLP stack ([model]); the tensor plan runs it.
  std::optional<workload::TransformerSpec> transformer;
  topo::Topology topology;    // sealed
  workload::ModelSpec model;
  plan::PlanSpec plan;
  workload::RunOptions run;
  net::NetworkOptions network;
  std::vector<Expectation> expectations;
  std::vector<SweepAxis> sweep;  // the [sweep] table, in key order; empty when there is none
};

// The override that applies a calibration file (`--calibration FILE`): its [node_types.NAME] tables replace the
// same-named fields of the topology's node types wherever they are defined (an included file too); types the
// topology does not define are skipped, but a file none of whose types it defines is an InputError. It goes in the
// override list before the --set overrides, which then apply on top of it.
std::string calibration_override(const std::string& file);

// Reads `path`. `overrides` are "dotted.key=value" strings; the value is TOML ("24", "\"10 Gbit/s\"", "true")
// or, if it does not parse as TOML, taken as a string. Keys starting with "topology." go to the topology file;
// "topology.node_types.NAME.FIELD=..." changes that field of the type wherever it is defined (an included file too).
// Throws InputError (with file:line:column) on any problem.
// `topology_file`, when not empty, replaces the file the scenario names (as given, not relative to the scenario):
// what `shardsim compare --topology` does.
Scenario load(const std::string& path, const std::vector<std::string>& overrides = {},
              const std::string& topology_file = "");

// Reads a topology file on its own (what `shardsim topo` shows).
topo::Topology load_topology(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace shardsim::scenario
