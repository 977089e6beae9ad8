// The JSON reader: every kind of value with its position (lines and columns counted by hand in the literal, both
// 1-based), escapes, and malformed input reported at the offending character.

#include <catch2/catch.hpp>

#include "shardsim/util/json_value.hpp"

using shardsim::InputError;
using shardsim::JsonValue;
using shardsim::parse_json;

TEST_CASE("JSON values are read with their positions") {
  const JsonValue v = parse_json(R"([
  {"a": 1.5e3, "b": [true, false, null],
   "s": "x\"\u00e9\ud83d\ude00\n"}
])", "f.json");
  REQUIRE(v.kind == JsonValue::Kind::array);
  REQUIRE(v.items.size() == 1);
  const JsonValue& o = v.items[0];
  CHECK(o.pos.line == 2);
  CHECK(o.pos.column == 3);
  CHECK(o.find("a")->number == 1500);
  CHECK(o.find("a")->pos.column == 9);  // `  {"a": ` is 8 characters
  CHECK(o.find("b")->items.size() == 3);
  CHECK(o.find("b")->items[0].boolean);
  CHECK(o.find("b")->items[2].kind == JsonValue::Kind::null);
  // "x", a quote, e acute (C3 A9), U+1F600 from its surrogate pair (F0 9F 98 80), a line feed.
  CHECK(o.find("s")->string == "x\"\xC3\xA9\xF0\x9F\x98\x80\n");
  CHECK(o.find("s")->pos.line == 3);
  CHECK(o.find("s")->pos.column == 9);
  CHECK(o.find("missing") == nullptr);
}

TEST_CASE("malformed JSON is an InputError at the offending character") {
  auto error_at = [](std::string_view text) {
    try {
      parse_json(text, "f.json");
    } catch (const InputError& e) {
      return std::pair(e.pos().line, e.pos().column);
    }
    FAIL("no error for " << text);
    return std::pair(0, 0);
  };
  CHECK(error_at("{\"a\": 1,\n \"b\" 2}") == std::pair(2, 6));  // the ':' missing before 2
  CHECK(error_at("[1, 2") == std::pair(1, 6));                   // the end of the file
  CHECK(error_at("[01]") == std::pair(1, 2));                    // a leading zero is not JSON
  CHECK(error_at("rtt min/avg") == std::pair(1, 1));             // ping's text is not JSON
  CHECK(error_at("{} x") == std::pair(1, 4));
}
