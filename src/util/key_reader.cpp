#include "shardsim/util/key_reader.hpp"

namespace shardsim {

void KeyReader::fail(std::string_view key, const std::string& message) const {
  throw InputError(where(key), path(key) + ": " + message);
}

std::int64_t integer_in(KeyReader& keys, std::string_view key, std::int64_t fallback, std::int64_t lo,
                        std::int64_t hi) {
  const std::optional<std::int64_t> value = keys.integer(key);
  if (!value) return fallback;
  if (*value < lo || *value > hi) {
    keys.fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                       std::to_string(*value));
  }
  return *value;
}

void fail_at(const KeyReader& keys, const Problem& problem, std::string_view fallback) {
  keys.fail(keys.has(problem.key) ? std::string_view(problem.key) : fallback, problem.message);
}

}  // namespace shardsim
