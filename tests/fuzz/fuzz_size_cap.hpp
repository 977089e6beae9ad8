#pragma once
// Keeps a fuzz input's topology small, so that one input cannot run for long: a generator's parameters can ask for
// millions of nodes (which the loader accepts, and which only cost time here). An input is skipped when it parses
// as TOML and holds an integer above kMaxInteger anywhere (nodes, ports, dims, ...), or a fat tree's `k` above
// kMaxFatTreeK (k^3/4 hosts). Inputs that do not parse go to the loader as they are: its errors are what is fuzzed.

#include <cstdint>
#include <string_view>
#include <toml++/toml.h>

namespace shardsim::fuzz {

inline constexpr std::int64_t kMaxInteger = 64;
inline constexpr std::int64_t kMaxFatTreeK = 8;

inline bool small_node(const toml::node& node, std::string_view key) {
  if (const toml::table* t = node.as_table()) {
    for (const auto& [k, v] : *t) {
      if (!small_node(v, k.str())) return false;
    }
    return true;
  }
  if (const toml::array* a = node.as_array()) {
    for (const toml::node& v : *a) {
      if (!small_node(v, key)) return false;
    }
    return true;
  }
  if (const auto* i = node.as_integer()) {
    return i->get() <= (key == "k" ? kMaxFatTreeK : kMaxInteger);
  }
  return true;
}

inline bool small_enough_topology(std::string_view text) {
  try {
    return small_node(toml::parse(text), "");
  } catch (const toml::parse_error&) {
    return true;
  }
}

}  // namespace shardsim::fuzz
