// json_string, json_number and is_json_number: the one writer of hand-made JSON (JSON lines tables, Chrome traces).

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "shardsim/util/error.hpp"
#include "shardsim/util/json_text.hpp"

using shardsim::is_json_number;
using shardsim::json_number;
using shardsim::json_string;
using shardsim::JsonStringRead;
using shardsim::read_json_string;

TEST_CASE("json_string: quotes and backslashes escaped, line ends and tabs short, other controls as \\u00XX") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("") == "\"\"");
  CHECK(json_string("a,\"b\\c") == "\"a,\\\"b\\\\c\"");
  CHECK(json_string("one\ntwo\r\tthree") == "\"one\\ntwo\\r\\tthree\"");
  // Backspace (0x08), form feed (0x0c), 0x01 and 0x1f have no short form here: \u00XX, lowercase hex.
  CHECK(json_string(std::string("\b\f\x01\x1f", 4)) == "\"\\u0008\\u000c\\u0001\\u001f\"");
  CHECK(json_string(std::string("nul\0byte", 8)) == "\"nul\\u0000byte\"");
  // Bytes from 0x20 up, UTF-8 and DEL included, are copied: "é" is the two bytes 0xC3 0xA9.
  CHECK(json_string("caf\xc3\xa9 / \x7f") == "\"caf\xc3\xa9 / \x7f\"");
}

TEST_CASE("json_number: the shortest text that reads back as the same double; no NaN or infinity") {
  CHECK(json_number(0.1) == "0.1");  // the double nearest 0.1: "0.1" reads back as it, 17 digits are noise
  // The issue's noise: 7.0169699999999995e-06 and 0.00092987369699999993 (%.17g) are these doubles.
  CHECK(json_number(7.01697e-06) == "7.01697e-06");
  CHECK(json_number(0.000929873697) == "0.000929873697");
  CHECK(json_number(0.1 + 0.2) == "0.30000000000000004");  // a double apart from 0.3 keeps its digits
  CHECK(json_number(1e20) == "1e+20");
  CHECK(json_number(62.872) == "62.872");
  CHECK(json_number(-0.0) == "-0");
  CHECK(json_number(4096) == "4096");
  for (double v : {0.1, 1.0 / 3.0, 6.02214076e23, 2.2250738585072014e-308, std::numeric_limits<double>::max()}) {
    CHECK(std::stod(json_number(v)) == v);
    CHECK(is_json_number(json_number(v)));
  }
  CHECK_THROWS_AS(json_number(std::nan("")), shardsim::InternalError);
  CHECK_THROWS_AS(json_number(std::numeric_limits<double>::infinity()), shardsim::InternalError);
}

TEST_CASE("is_json_number follows RFC 8259's grammar") {
  for (const char* yes : {"0", "-0", "64", "-12", "0.5", "1.25e3", "1E-7", "6e+2", "-0.0e0"}) {
    INFO(yes);
    CHECK(is_json_number(yes));
  }
  // No leading zeros, no bare dot, no plus sign in front, no empty exponent, no words or units.
  for (const char* no : {"", "-", "01", ".5", "5.", "+1", "1e", "1e+", "0x10", "nan", "inf", "1 Gbit/s", " 1", "1 "}) {
    INFO("'" << no << "'");
    CHECK_FALSE(is_json_number(no));
  }
}

TEST_CASE("read_json_string decodes one literal and stops after its closing quote, or says where it is malformed") {
  // "a\"b" then a comma: the literal spans bytes 0..6, so `at` ends on the comma (7). \u00e9 is e acute, C3 A9 in
  // UTF-8; \ud83d\ude00 is U+1F600 (0x10000 + (0x3D << 10) + 0x200), F0 9F 98 80.
  std::size_t at = 0;
  JsonStringRead got = read_json_string(R"("a\"b",)", at);
  CHECK(got.error.empty());
  CHECK(got.text == "a\"b");
  CHECK(at == 6);
  at = 2;
  got = read_json_string(R"(x "\u00e9\ud83d\ude00\/\t")", at);
  CHECK(got.error.empty());
  CHECK(got.text == "\xC3\xA9\xF0\x9F\x98\x80/\t");

  struct Bad {
    std::string text;
    std::size_t at;  // where the fault is reported
    std::string error;
  };
  for (const Bad& bad : {Bad{R"("abc)", 4, "unterminated string"},
                         Bad{"\"a\nb\"", 2, "a control character inside a string"},
                         Bad{R"("\q")", 1, "unknown escape '\\q'"},
                         Bad{R"("\u12G4")", 3, "a \\u escape needs four hex digits"},
                         Bad{R"("\ud83d x")", 7, "a high surrogate not followed by a low one"},
                         Bad{R"("\ud83d\u0041")", 13, "a high surrogate not followed by a low one"},
                         Bad{"abc", 0, "expected '\"'"}}) {
    CAPTURE(bad.text);
    at = 0;
    got = read_json_string(bad.text, at);
    CHECK(got.error == bad.error);
    CHECK(at == bad.at);
  }
}
