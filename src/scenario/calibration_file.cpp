#include "sections.hpp"
#include "shardsim/scenario/toml_file.hpp"

namespace shardsim::scenario {
namespace {
constexpr std::string_view kCalibrationPrefix = "--calibration=";
}  // namespace

std::string calibration_override(const std::string& file) { return std::string(kCalibrationPrefix) + file; }

std::optional<std::string> calibration_file_of(const std::string& override) {
  if (!override.starts_with(kCalibrationPrefix)) return std::nullopt;
  return override.substr(kCalibrationPrefix.size());
}

std::vector<NodeTypePatch> read_calibration(const std::string& path) {
  toml::table table = parse_toml_file(path, SourcePos{"--calibration", 0, 0});
  std::vector<NodeTypePatch> patches;
  for (auto&& [key, value] : table) {
    if (key.str() != "node_types" || !value.is_table()) {
      throw InputError(position(key.source(), path),
                       std::string(key.str()) + ": a calibration file holds only [node_types.NAME] tables");
    }
    for (auto&& [name, fields] : *value.as_table()) {
      if (!fields.is_table()) {
        throw InputError(position(fields, path), "node_types." + std::string(name.str()) + ": expected a table");
      }
      NodeTypePatch patch;
      patch.type = std::string(name.str());
      patch.fields = std::move(*fields.as_table());
      patch.from = path;
      patches.push_back(std::move(patch));
    }
  }
  return patches;
}

}  // namespace shardsim::scenario
