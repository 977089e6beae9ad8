#pragma once
// "Did you mean" for misspelt keys: the closest candidate by edit distance, if it is close enough to be a typo
// (at most a third of the word's length, and at most 3 edits).

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shardsim {

std::size_t edit_distance(std::string_view a, std::string_view b);
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace shardsim
