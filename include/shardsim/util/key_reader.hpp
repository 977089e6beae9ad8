#pragma once
// Reading the keys of one table of user input, without knowing its file format. A KeyReader hands out typed values
// and marks each key it was asked for as read (so that its owner can reject keys nobody read), and fail() reports a
// problem at the key's position in the user's file (at the table itself when the key is absent), naming the key's
// dotted path, and does not return. The scenario loader's TOML reader implements it, so that modules that must not
// see TOML (a strategy reading [plan]) still report every problem as "file:line:column: plan.KEY: message".
// The helpers below give every reader one wording for the checks they share.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shardsim/util/error.hpp"
#include "shardsim/util/problem.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim {

class KeyReader {
 public:
  virtual bool has(std::string_view key) const = 0;
  virtual std::optional<std::int64_t> integer(std::string_view key) = 0;
  virtual std::optional<std::string> string(std::string_view key) = 0;
  virtual std::optional<bool> boolean(std::string_view key) = 0;
  virtual std::optional<Bytes> bytes(std::string_view key) = 0;
  // An array of strings (plan.use = ["desk", "pi0"]); a reader without arrays refuses the key.
  virtual std::optional<std::vector<std::string>> strings(std::string_view key) {
    if (!has(key)) return std::nullopt;
    fail(key, "expected an array of strings, which this input cannot give");
  }
  // An InputError at where(key), its message prefixed with path(key). Not virtual, so that callers see it never
  // returns (GCC does not carry [[noreturn]] through a virtual call); readers differ only in where and path.
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;

  // Where `key` was given in the user's file (the table itself when the key is absent), and its dotted path.
  virtual SourcePos where(std::string_view key) const = 0;
  virtual std::string path(std::string_view key) const = 0;

 protected:
  ~KeyReader() = default;
};

// The integer at `key`, which must lie in [lo, hi] ("must be between lo and hi, got v"); `fallback` when absent.
std::int64_t integer_in(KeyReader& keys, std::string_view key, std::int64_t fallback, std::int64_t lo,
                        std::int64_t hi);

// Fails at the problem's key when the input gives it, else at `fallback` (a key the input may or may not give).
[[noreturn]] void fail_at(const KeyReader& keys, const Problem& problem, std::string_view fallback);

// The value of `key` among `options` (a range of (name, value) pairs), `fallback` when absent; anything else fails
// listing the names.
template <class Enum, class Options>
Enum choice(KeyReader& keys, std::string_view key, const Options& options, Enum fallback) {
  const std::optional<std::string> value = keys.string(key);
  if (!value) return fallback;
  std::string message = "unknown value '";
  message.append(*value).append("'; expected one of:");
  for (const auto& [name, e] : options) {
    if (name == *value) return e;
    message.append(" ").append(name);
  }
  keys.fail(key, message);
}

}  // namespace shardsim
