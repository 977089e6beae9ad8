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

TEST_CASE("json_number: 17 significant digits read back as the same double, no NaN or infinity") {
  CHECK(json_number(0.1) == "0.10000000000000001");  // the double nearest 0.1, to 17 digits
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
