#pragma once
// Test support: a strict JSON syntax check (RFC 8259 grammar: objects, arrays, strings with escapes, numbers,
// true/false/null), so tests can assert that a writer's output is well-formed without a JSON library.

#include <cctype>
#include <string_view>

namespace shardsim::testing {

class JsonCheck {
 public:
  // True when `text` is exactly one JSON value (with surrounding whitespace).
  static bool valid(std::string_view text) {
    JsonCheck c{text};
    c.ws();
    if (!c.value()) return false;
    c.ws();
    return c.at_ == text.size();
  }

 private:
  explicit JsonCheck(std::string_view t) : t_(t) {}
  bool more() const { return at_ < t_.size(); }
  char peek() const { return more() ? t_[at_] : '\0'; }
  void ws() {
    while (more() && (peek() == ' ' || peek() == '\n' || peek() == '\r' || peek() == '\t')) ++at_;
  }
  bool literal(std::string_view word) {
    if (t_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  bool string() {
    if (peek() != '"') return false;
    ++at_;
    while (more() && peek() != '"') {
      if (static_cast<unsigned char>(peek()) < 0x20) return false;
      if (peek() == '\\') {
        ++at_;
        const char e = peek();
        if (e == 'u') {
          for (int i = 0; i < 4; ++i) {
            ++at_;
            if (!std::isxdigit(static_cast<unsigned char>(peek()))) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
      ++at_;
    }
    if (!more()) return false;
    ++at_;
    return true;
  }
  bool digits() {
    const std::size_t start = at_;
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++at_;
    return at_ > start;
  }
  bool number() {
    if (peek() == '-') ++at_;
    if (peek() == '0') {
      ++at_;
    } else if (!digits()) {
      return false;
    }
    if (peek() == '.') {
      ++at_;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++at_;
      if (peek() == '+' || peek() == '-') ++at_;
      if (!digits()) return false;
    }
    return true;
  }
  template <class Item>
  bool sequence(char open, char close, Item item) {
    if (peek() != open) return false;
    ++at_;
    ws();
    if (peek() == close) {
      ++at_;
      return true;
    }
    while (true) {
      ws();
      if (!item()) return false;
      ws();
      if (peek() == close) {
        ++at_;
        return true;
      }
      if (peek() != ',') return false;
      ++at_;
    }
  }
  bool value() {
    switch (peek()) {
      case '{':
        return sequence('{', '}', [this] {
          if (!string()) return false;
          ws();
          if (peek() != ':') return false;
          ++at_;
          ws();
          return value();
        });
      case '[': return sequence('[', ']', [this] { return value(); });
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  std::string_view t_;
  std::size_t at_ = 0;
};

}  // namespace shardsim::testing
