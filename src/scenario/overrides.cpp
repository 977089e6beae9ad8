#include <memory>

#include "sections.hpp"

namespace shardsim::scenario {

// Parses the value as TOML so it gets a type ("24", "\"10 Gbit/s\"", "true"); a value that is not TOML is taken
// as a string ("fp32").
Override parse_override(const std::string& arg) {
  Override o;
  o.label = "--set " + arg;
  const auto path = std::make_shared<const std::string>(o.label);
  const SourcePos where{o.label, 0, 0};
  constexpr std::size_t prefix = 6;  // "--set "
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError(where, "expected key=value");
  for (std::size_t start = 0;;) {
    const auto dot = std::min(arg.find('.', start), eq);
    const std::string part = arg.substr(start, dot - start);
    const auto column = static_cast<toml::source_index>(prefix + start + 1);
    if (part.empty()) throw InputError(SourcePos{o.label, 1, static_cast<int>(column)}, "empty part in the key");
    o.path.emplace_back(part, toml::source_region{{1, column}, {1, column}, path});
    if (dot == eq) break;
    start = dot + 1;
  }
  // Padding puts the value at the column it has in the label: prefix + eq - 1 spaces, then "x=".
  const std::string pad(prefix + eq - 1, ' ');
  try {
    o.doc = toml::parse(pad + "x=" + arg.substr(eq + 1), o.label);
  } catch (const toml::parse_error&) {
    std::string quoted = "\"";
    for (char c : arg.substr(eq + 1)) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    try {
      o.doc = toml::parse(pad + "x=" + quoted + "\"", o.label);
    } catch (const toml::parse_error& e) {
      throw InputError(where, std::string(e.description()));
    }
  }
  return o;
}

// Sets `o` into `root` from key part `first` on, creating tables as needed; a numeric part indexes an array (of
// tables). The value and the new key are moved in, not copied: TOML++ keeps source positions only on a move.
void apply_override(toml::table& root, Override& o, std::size_t first) {
  toml::node* current = &root;
  for (std::size_t i = first; i < o.path.size(); ++i) {
    const std::string part(o.path[i].str());
    const SourcePos where = position(o.path[i].source(), o.label);
    const bool last = i + 1 == o.path.size();
    if (auto* array = current->as_array()) {
      std::size_t index = 0;
      const bool numeric = part.find_first_not_of("0123456789") == std::string::npos && part.size() < 9;
      if (!numeric || (index = std::stoul(part)) >= array->size()) {
        throw InputError(where, "'" + part + "' is not an index of the array (it has " +
                                    std::to_string(array->size()) + " entries)");
      }
      if (last) {
        array->replace(array->begin() + static_cast<std::ptrdiff_t>(index), std::move(o.value()));
        return;
      }
      current = array->get(index);
      continue;
    }
    auto* table = current->as_table();
    if (!table) throw InputError(where, "'" + part + "' is below a value that is not a table");
    if (last) {
      if (table->contains(part)) {
        table->insert_or_assign(part, std::move(o.value()));
      } else {
        table->insert(std::move(o.path[i]), std::move(o.value()));
      }
      return;
    }
    if (!table->contains(part)) table->insert(toml::key(o.path[i]), toml::table{});
    current = table->get(part);
  }
}

std::optional<NodeTypePatch> node_type_patch(Override& o, std::size_t first) {
  if (o.path.size() < first + 3 || o.path[first].str() != "node_types") return std::nullopt;
  NodeTypePatch patch;
  patch.type = std::string(o.path[first + 1].str());
  patch.may_create = true;
  apply_override(patch.fields, o, first + 2);
  return patch;
}

}  // namespace shardsim::scenario
