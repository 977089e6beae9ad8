#include <sstream>

#include "sections.hpp"

namespace shardsim::scenario {
namespace {

// Each key is a dotted override key (quoted in TOML when it has dots: "plan.nodes" = [...], or as a nested
// table: [sweep.plan] nodes = [...]); each value an array of values or a range string.
void read_sweep_table(const toml::table& table, const std::string& prefix, const std::string& file,
                      std::vector<SweepAxis>& out) {
  for (const auto& [key, value] : table) {
    const std::string name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    const SourcePos pos = position(value, file);
    if (const toml::table* nested = value.as_table()) {
      read_sweep_table(*nested, name, file, out);
      continue;
    }
    SweepAxis axis{name, {}, pos};
    if (const toml::array* values = value.as_array()) {
      for (const toml::node& v : *values) {
        if (const auto str = v.value_exact<std::string>()) {
          std::string quoted = "\"";
          for (char c : *str) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
          }
          axis.values.push_back(quoted + "\"");
        } else if (v.is_integer() || v.is_floating_point() || v.is_boolean()) {
          std::ostringstream text;
          text << toml::toml_formatter{v};
          axis.values.push_back(text.str());
        } else {
          throw InputError(position(v, file), "sweep." + name + ": values must be numbers, strings or booleans");
        }
      }
    } else if (const auto range = value.value_exact<std::string>()) {
      axis.values = expand_range(*range, pos);
      if (axis.values.empty()) {
        throw InputError(pos, "sweep." + name + ": expected an array of values or a range such as \"8..1024*2\"");
      }
    } else {
      throw InputError(pos, "sweep." + name + ": expected an array of values or a range such as \"8..1024*2\"");
    }
    if (axis.values.empty()) throw InputError(pos, "sweep." + name + ": no values");
    out.push_back(std::move(axis));
  }
}

}  // namespace

std::vector<SweepAxis> read_sweep(TomlReader& r) {
  std::vector<SweepAxis> out;
  if (const toml::table* table = r.table("sweep")) read_sweep_table(*table, "", r.file(), out);
  return out;
}

}  // namespace shardsim::scenario
