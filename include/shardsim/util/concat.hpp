#pragma once
// Builds a string from pieces of text and integers, appended one by one: labels such as "mb3.layer12.q_proj0" and
// messages. (Appending also sidesteps GCC 12's false -Wrestrict warning on "lit" + std::string + "lit".)

#include <cstdint>
#include <string>
#include <string_view>

namespace shardsim {

namespace detail {
inline void append_piece(std::string& s, std::string_view v) { s.append(v); }
inline void append_piece(std::string& s, std::int64_t v) { s.append(std::to_string(v)); }
}  // namespace detail

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string s;
  (detail::append_piece(s, parts), ...);
  return s;
}

}  // namespace shardsim
