#pragma once
// Typed, position-aware reading of one TOML table (a KeyReader, util/key_reader.hpp). Every getter marks its key as known; finish() then rejects
// any key nobody asked for ("unknown key 'd_modle' (did you mean 'd_model'?)"). Every error names
// file:line:column of the offending value (or of the table, for a missing key) and the key's dotted path.
// TOML++ is kept inside the scenario module: only this header and the loader see it.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "shardsim/util/error.hpp"
#include "shardsim/util/key_reader.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::scenario {

// The position of a TOML node; `fallback_file` is used when the node carries no path.
SourcePos position(const toml::node& node, const std::string& fallback_file);
SourcePos position(const toml::source_region& region, const std::string& fallback_file);

class TomlReader final : public KeyReader {
 public:
  // `prefix` is the dotted path of this table ("" at the top), used in messages.
  TomlReader(const toml::table& table, std::string file, std::string prefix);

  bool has(std::string_view key) const override;
  const toml::node* node(std::string_view key);  // marks the key known; nullptr if absent

  std::optional<std::int64_t> integer(std::string_view key) override;
  std::optional<std::string> string(std::string_view key) override;
  std::optional<bool> boolean(std::string_view key) override;
  std::optional<Time> time(std::string_view key);
  std::optional<Bytes> bytes(std::string_view key) override;
  std::optional<std::vector<std::string>> strings(std::string_view key) override;
  std::optional<ByteRate> byte_rate(std::string_view key);  // must be positive
  std::optional<FlopRate> flop_rate(std::string_view key);  // must be positive
  const toml::table* table(std::string_view key);
  const toml::array* array(std::string_view key);

  // Same, but a missing key is an error.
  std::int64_t require_integer(std::string_view key);
  std::string require_string(std::string_view key);
  template <class T>
  T required(std::optional<T> value, std::string_view key) const {
    if (!value) missing(key);
    return *value;
  }

  // An integer that must lie in [lo, hi].
  std::int64_t bounded(std::string_view key, std::int64_t value, std::int64_t lo, std::int64_t hi);

  SourcePos where(std::string_view key) const override;
  [[noreturn]] void missing(std::string_view key) const;
  // Throws for the first key not asked for. Call after reading everything.
  void finish() const;

  std::string path(std::string_view key) const override;
  const std::string& file() const { return file_; }
  const toml::table& raw() const { return table_; }

 private:
  template <class T, class Parse>
  std::optional<T> quantity(std::string_view key, const char* what, const char* example, Parse parse);

  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace shardsim::scenario
