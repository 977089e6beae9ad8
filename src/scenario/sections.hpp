#pragma once
// The scenario loader's parts (scenario.cpp reads the file and calls them in order): each reads one table of the
// scenario into the Scenario being built, through a TomlReader that places every problem at its key.

#include <optional>
#include <string>
#include <vector>
#include <toml++/toml.h>

#include "shardsim/scenario/scenario.hpp"
#include "shardsim/scenario/toml_reader.hpp"
#include "shardsim/scenario/topology_file.hpp"

namespace shardsim::scenario {

// --set a.b.c=value, parsed so that every part of the key and the value carry their column in "--set a.b.c=value".
struct Override {
  std::vector<toml::key> path;
  toml::table doc;  // {x = value}, parsed so that the value's column is its column in the argument
  std::string label;

  toml::node& value() { return *doc.get("x"); }
};
// The value is read as TOML ("24", "\"10 Gbit/s\"", "true"); a value that is not TOML is taken as a string.
Override parse_override(const std::string& arg);
// Sets `o` into `root` from key part `first` on, creating tables as needed; a numeric part indexes an array.
void apply_override(toml::table& root, Override& o, std::size_t first);
// `o` as a change to an existing node type when it names a field of one (node_types.NAME.FIELD..., from key part
// `first` on), so that a type an included file defines is changed rather than redefined; none otherwise.
std::optional<NodeTypePatch> node_type_patch(Override& o, std::size_t first);

// The file of a calibration override (calibration_override(), scenario.hpp); none for a --set override.
std::optional<std::string> calibration_file_of(const std::string& override);
// The node types of a calibration file as patches: a file of [node_types.NAME] tables and nothing else.
std::vector<NodeTypePatch> read_calibration(const std::string& path);

void read_model(TomlReader& m, Scenario& s);                                        // [model]
void read_transformer(TomlReader& t, Scenario& s);                                  // [transformer]
void read_run(TomlReader& r, Scenario& s);                                          // [run]
void read_train(TomlReader& t, Scenario& s, const toml::table& transformer);       // [train]
void read_plan(TomlReader& p, Scenario& s);                                         // [plan]
void read_network(TomlReader& n, Scenario& s);                                      // [network]
std::vector<Expectation> read_expectations(TomlReader& r);                          // [expect]
std::vector<SweepAxis> read_sweep(TomlReader& r);                                   // [sweep]

}  // namespace shardsim::scenario
