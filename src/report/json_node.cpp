#include "json_node.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "shardsim/util/error.hpp"
#include "shardsim/util/json_text.hpp"

namespace shardsim::report {
namespace {

void write(std::string& text, const toml::node& node, int depth, std::initializer_list<std::string_view> leading) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 4, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 4, ' ');
  if (const toml::table* t = node.as_table()) {
    if (t->empty()) {
      text += "{}";
      return;
    }
    std::vector<std::string_view> keys;
    for (std::string_view k : leading) {
      if (t->contains(k)) keys.push_back(k);
    }
    for (const auto& [k, v] : *t) {
      if (std::find(leading.begin(), leading.end(), k.str()) == leading.end()) keys.push_back(k.str());
    }
    text += "{\n";
    for (std::size_t i = 0; i < keys.size(); ++i) {
      text += indent + json_string(keys[i]) + " : ";
      write(text, *t->get(keys[i]), depth + 1, {});
      text += i + 1 < keys.size() ? ",\n" : "\n";
    }
    text += closing + "}";
  } else if (const toml::array* a = node.as_array()) {
    if (a->empty()) {
      text += "[]";
      return;
    }
    text += "[\n";
    for (std::size_t i = 0; i < a->size(); ++i) {
      text += indent;
      write(text, *a->get(i), depth + 1, {});
      text += i + 1 < a->size() ? ",\n" : "\n";
    }
    text += closing + "]";
  } else if (auto s = node.value_exact<std::string>()) {
    text += json_string(*s);
  } else if (auto i = node.value_exact<std::int64_t>()) {
    text += std::to_string(*i);
  } else if (auto d = node.value_exact<double>()) {
    text += json_number(*d);
  } else if (auto b = node.value_exact<bool>()) {
    text += *b ? "true" : "false";
  } else {
    throw InternalError("write_json_node: a date or time has no JSON form");
  }
}

}  // namespace

void write_json_node(std::ostream& out, const toml::node& node, std::initializer_list<std::string_view> leading) {
  std::string text;
  write(text, node, 0, leading);
  out << text;
}

}  // namespace shardsim::report
