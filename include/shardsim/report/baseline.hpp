#pragma once
// Baselines for CI gates: the figures of each scenario from an earlier run (e.g. the last release), stored as a
// TOML file with one table per scenario and one key per metric:
//   ["scenarios/gpt4-1024-pi4.toml"]
//   token_latency = 101.80923...
// A scenario's key is its top-level `name` when it has one, else its path relative to the baseline file's folder
// ('/'-separated, normalized): the key does not depend on the folder `check` runs in or on how the path was typed
// (`gate.toml` and `./gate.toml` are one key).
// `shardsim check --update-baseline FILE` writes it; `--baseline FILE` reads it for the [expect] entries that use
// above_baseline / below_baseline.

#include <map>
#include <string>
#include <vector>

namespace shardsim::report {

// Scenario path -> figures indexed like metric_catalog() (NaN where the file has no value for a metric).
using Baseline = std::map<std::string, std::vector<double>>;

// The key of the scenario at `scenario_path` (named `scenario_name`, "" when it has no name) in the baseline
// file at `baseline_path`.
std::string baseline_key(const std::string& scenario_path, const std::string& scenario_name,
                         const std::string& baseline_path);

// Throws InputError (with file:line:column) when the file cannot be read or is not a baseline.
Baseline read_baseline(const std::string& path);
// Writes every figure of every scenario, metrics in catalog order, with enough digits to read back exactly.
void write_baseline(const std::string& path, const Baseline& baseline);

}  // namespace shardsim::report
