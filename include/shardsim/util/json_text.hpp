#pragma once
// JSON written by hand (tables as JSON lines, Chrome traces): string literals and numbers, each in one fixed form,
// so that the same value is always the same bytes (no locale, no stream state). The JSON report is not written
// here: TOML++'s json_formatter writes it.
//
// A string literal escapes '"' and '\\' with a backslash, line feed, carriage return and tab as \n, \r and \t,
// every other control character (below 0x20) as \u00XX with lowercase hex, and copies all other bytes (UTF-8
// included) as they are. A number is the shortest text that reads back as the very same double (std::to_chars).

#include <cstddef>
#include <string>
#include <string_view>

namespace shardsim {

// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);

// A finite double as a JSON number, the shortest that reads back exactly ("0.1", "1e+20", "7.01697e-06", "-0"). JSON has no
// NaN or infinity: InternalError for those, which callers write some other way.
std::string json_number(double value);

// Whether `text` is exactly a JSON number (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), so that
// it can be written bare.
bool is_json_number(std::string_view text);

// A JSON string literal decoded (RFC 8259 section 7: the two-character escapes, \uXXXX as UTF-8 with surrogate
// pairs joined, no raw control characters), or why it is malformed. One decoder for every JSON reader here (the
// JSON value reader, table files), so that they agree on what a string is.
struct JsonStringRead {
  std::string text;
  std::string error;  // empty when the literal is well formed
};

// Decodes the literal whose opening quote is at text[at]. Afterwards `at` is just past the closing quote, or, for
// a malformed literal, where the fault was found (for the caller's line:column).
JsonStringRead read_json_string(std::string_view text, std::size_t& at);

}  // namespace shardsim
