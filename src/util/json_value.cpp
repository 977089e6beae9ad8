#include "shardsim/util/json_value.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <tuple>

#include "shardsim/util/json_text.hpp"

namespace shardsim {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  JsonValue document() {
    skip_space();
    JsonValue v = value(0);
    skip_space();
    if (at_ < text_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(here(), "not valid JSON: " + message);
  }
  SourcePos here() const { return SourcePos{file_, line_, static_cast<int>(at_ - line_start_) + 1}; }
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

  void skip_space() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '\n') {
        ++line_;
        line_start_ = at_ + 1;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++at_;
    }
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }

  JsonValue value(int depth) {
    if (depth > 200) fail("nested too deeply");
    JsonValue v;
    v.pos = here();
    const char c = peek();
    if (c == '{') {
      v.kind = JsonValue::Kind::object;
      ++at_;
      skip_space();
      if (peek() == '}') {
        ++at_;
        return v;
      }
      for (;;) {
        skip_space();
        if (peek() != '"') fail("expected a member name in double quotes");
        std::string key = string_literal();
        skip_space();
        expect(':');
        skip_space();
        v.members.push_back(JsonMember{std::move(key), value(depth + 1)});
        skip_space();
        if (peek() == ',') {
          ++at_;
          continue;
        }
        expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = JsonValue::Kind::array;
      ++at_;
      skip_space();
      if (peek() == ']') {
        ++at_;
        return v;
      }
      for (;;) {
        skip_space();
        v.items.push_back(value(depth + 1));
        skip_space();
        if (peek() == ',') {
          ++at_;
          continue;
        }
        expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = JsonValue::Kind::string;
      v.string = string_literal();
      return v;
    }
    for (const auto& [word, kind, truth] : {std::tuple{"true", JsonValue::Kind::boolean, true},
                                            std::tuple{"false", JsonValue::Kind::boolean, false},
                                            std::tuple{"null", JsonValue::Kind::null, false}}) {
      if (text_.substr(at_).starts_with(word)) {
        at_ += std::string_view(word).size();
        v.kind = kind;
        v.boolean = truth;
        return v;
      }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      const std::size_t start = at_;
      while (at_ < text_.size() && std::string_view("+-.eE0123456789").find(text_[at_]) != std::string_view::npos) {
        ++at_;
      }
      const std::string_view number = text_.substr(start, at_ - start);
      const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), v.number);
      if (!is_json_number(number) || error != std::errc{} || end != number.data() + number.size()) {
        at_ = start;
        fail("malformed number '" + std::string(number) + "'");
      }
      v.kind = JsonValue::Kind::number;
      return v;
    }
    fail(c == '\0' ? "unexpected end of the file" : std::string("unexpected character '") + c + "'");
  }

  std::string string_literal() {
    JsonStringRead read = read_json_string(text_, at_);
    if (!read.error.empty()) fail(read.error);
    return std::move(read.text);
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t at_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const JsonMember& m : members) {
    if (m.name == key) return &m.value;
  }
  return nullptr;
}

JsonValue parse_json(std::string_view text, const std::string& file) { return Parser(text, file).document(); }

JsonValue read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_json(text.str(), path);
}

}  // namespace shardsim
