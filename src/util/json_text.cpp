#include "shardsim/util/json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "shardsim/util/error.hpp"

namespace shardsim {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_number(double value) {
  if (!std::isfinite(value)) throw InternalError("json_number: JSON has no NaN or infinity");
  // std::to_chars without a precision writes the fewest digits that read back as `value` (C++17
  // [charconv.to.chars]), choosing plain or scientific notation by length: 7.01697e-06, not 7.0169699999999995e-06.
  char buf[40];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc{}) throw InternalError("json_number: buffer too small");
  return std::string(buf, end);
}

bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

namespace {

// The UTF-8 encoding of a code point (at most 0x10FFFF).
void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// The four hex digits at text[at], or nullopt; `at` moves past them only when they are all there.
std::optional<unsigned> hex4(std::string_view text, std::size_t& at) {
  if (at + 4 > text.size()) return std::nullopt;
  unsigned code = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char h = text[i];
    code <<= 4;
    if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
    else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
    else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
    else return std::nullopt;
  }
  at += 4;
  return code;
}

}  // namespace

JsonStringRead read_json_string(std::string_view text, std::size_t& at) {
  JsonStringRead read;
  const auto fault = [&](std::string why) {
    read.error = std::move(why);
    return read;
  };
  if (at >= text.size() || text[at] != '"') return fault("expected '\"'");
  ++at;
  for (;;) {
    if (at >= text.size()) return fault("unterminated string");
    const char c = text[at];
    if (c == '"') {
      ++at;
      return read;
    }
    if (static_cast<unsigned char>(c) < 0x20) return fault("a control character inside a string");
    ++at;
    if (c != '\\') {
      read.text += c;
      continue;
    }
    if (at >= text.size()) return fault("unterminated string");
    switch (const char e = text[at++]) {
      case '"': case '\\': case '/': read.text += e; break;
      case 'b': read.text += '\b'; break;
      case 'f': read.text += '\f'; break;
      case 'n': read.text += '\n'; break;
      case 'r': read.text += '\r'; break;
      case 't': read.text += '\t'; break;
      case 'u': {
        std::optional<unsigned> code = hex4(text, at);
        if (!code) return fault("a \\u escape needs four hex digits");
        if (*code >= 0xD800 && *code < 0xDC00) {
          if (text.substr(at, 2) != "\\u") return fault("a high surrogate not followed by a low one");
          at += 2;
          const std::optional<unsigned> low = hex4(text, at);
          if (!low || *low < 0xDC00 || *low > 0xDFFF) return fault("a high surrogate not followed by a low one");
          *code = 0x10000 + ((*code - 0xD800) << 10) + (*low - 0xDC00);
        }
        append_utf8(read.text, *code);
        break;
      }
      default:
        at -= 2;  // at the backslash that starts it
        return fault(std::string("unknown escape '\\") + e + "'");
    }
  }
}

}  // namespace shardsim
