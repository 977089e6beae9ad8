#include "shardsim/scenario/toml_reader.hpp"

#include "shardsim/scenario/span_limits.hpp"

#include <array>
#include <vector>

#include "shardsim/util/suggest.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::scenario {

SourcePos position(const toml::source_region& region, const std::string& fallback_file) {
  SourcePos pos;
  pos.file = region.path ? *region.path : fallback_file;
  pos.line = static_cast<int>(region.begin.line);
  pos.column = static_cast<int>(region.begin.column);
  return pos;
}

SourcePos position(const toml::node& node, const std::string& fallback_file) {
  return position(node.source(), fallback_file);
}

TomlReader::TomlReader(const toml::table& table, std::string file, std::string prefix)
    : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

std::string TomlReader::path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

bool TomlReader::has(std::string_view key) const { return table_.contains(key); }

const toml::node* TomlReader::node(std::string_view key) {
  known_.emplace(key);
  return table_.get(key);
}

SourcePos TomlReader::where(std::string_view key) const {
  const toml::node* n = table_.get(key);
  return position(n ? *n : static_cast<const toml::node&>(table_), file_);
}

void TomlReader::missing(std::string_view key) const {
  // A misspelt key is more helpfully reported as the typo it is: the required key itself, or one read before it
  // (`presett` makes every dimension of [transformer] required, but the typo is of `preset`).
  std::vector<std::string_view> candidates{key};
  candidates.insert(candidates.end(), known_.begin(), known_.end());
  for (const auto& [present, value] : table_) {
    if (known_.count(present.str()) != 0) continue;
    if (auto best = closest_match(present.str(), candidates)) {
      throw InputError(position(present.source(), file_), "unknown key '" + path(present.str()) +
                                                              "' (did you mean '" + *best + "'?)");
    }
  }
  throw InputError(position(table_, file_), "missing key '" + path(key) + "'");
}

namespace {
std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}
}  // namespace

std::optional<std::int64_t> TomlReader::integer(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (auto v = n->value_exact<std::int64_t>()) return *v;
  fail(key, "expected an integer, got " + type_name(*n));
}

std::optional<bool> TomlReader::boolean(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (auto v = n->value_exact<bool>()) return *v;
  fail(key, "expected true or false, got " + type_name(*n));
}

std::optional<std::string> TomlReader::string(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (auto v = n->value_exact<std::string>()) return *v;
  fail(key, "expected a string, got " + type_name(*n));
}

std::optional<std::vector<std::string>> TomlReader::strings(std::string_view key) {
  const toml::array* a = array(key);
  if (!a) return std::nullopt;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto v = (*a)[i].value_exact<std::string>();
    if (!v) throw InputError(position((*a)[i], file_), path(key) + "." + std::to_string(i) + ": expected a string");
    out.push_back(*v);
  }
  return out;
}

template <class T, class Parse>
std::optional<T> TomlReader::quantity(std::string_view key, const char* what, const char* example, Parse parse) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  auto text = n->value_exact<std::string>();
  if (!text) {
    fail(key, std::string("expected ") + what + " written as a string with its unit, e.g. " + example + ", got " +
                  type_name(*n));
  }
  try {
    return parse(*text);
  } catch (const UnitError& e) {
    fail(key, e.what());
  }
}

std::optional<Time> TomlReader::time(std::string_view key) {
  auto t = quantity<Time>(key, "a time", "\"50 us\"", parse_time);
  // Far inside Time's range, so that sums of many such spans stay exact (scenario/span_limits.hpp).
  if (t && *t > kLongestSpan) {
    fail(key, "longer than " + std::string(kLongestSpanText) +
                  ", the longest single duration shardsim accepts (simulated time is int64 picoseconds: about "
                  "106 days in all)");
  }
  return t;
}

std::optional<Bytes> TomlReader::bytes(std::string_view key) {
  return quantity<Bytes>(key, "a size", "\"4 GiB\"", parse_bytes);
}

std::optional<ByteRate> TomlReader::byte_rate(std::string_view key) {
  auto r = quantity<ByteRate>(key, "a bandwidth", "\"1 Gbit/s\"", parse_byte_rate);
  if (r && !(r->per_second > 0)) fail(key, "must be positive");
  return r;
}

std::optional<FlopRate> TomlReader::flop_rate(std::string_view key) {
  auto r = quantity<FlopRate>(key, "a FLOP rate", "\"12 GFLOP/s\"", parse_flop_rate);
  if (r && !(r->per_second > 0)) fail(key, "must be positive");
  return r;
}

const toml::table* TomlReader::table(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (const auto* t = n->as_table()) return t;
  fail(key, "expected a table, got " + type_name(*n));
}

const toml::array* TomlReader::array(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (const auto* a = n->as_array()) return a;
  fail(key, "expected an array, got " + type_name(*n));
}

std::int64_t TomlReader::require_integer(std::string_view key) { return required(integer(key), key); }
std::string TomlReader::require_string(std::string_view key) { return required(string(key), key); }

std::int64_t TomlReader::bounded(std::string_view key, std::int64_t value, std::int64_t lo, std::int64_t hi) {
  if (value < lo || value > hi) {
    fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                  std::to_string(value));
  }
  return value;
}

void TomlReader::finish() const {
  std::vector<std::string_view> candidates(known_.begin(), known_.end());
  for (const auto& [key, value] : table_) {
    if (known_.count(key.str())) continue;
    std::string message = "unknown key '" + path(key.str()) + "'";
    if (auto best = closest_match(key.str(), candidates)) message += " (did you mean '" + *best + "'?)";
    throw InputError(position(key.source(), file_), message);
  }
}

}  // namespace shardsim::scenario
