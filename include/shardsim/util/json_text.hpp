#pragma once
// JSON written by hand (tables as JSON lines, Chrome traces): string literals and numbers, each in one fixed form,
// so that the same value is always the same bytes (no locale, no stream state). The JSON report is not written
// here: TOML++'s json_formatter writes it.
//
// A string literal escapes '"' and '\\' with a backslash, line feed, carriage return and tab as \n, \r and \t,
// every other control character (below 0x20) as \u00XX with lowercase hex, and copies all other bytes (UTF-8
// included) as they are. A number is the shortest text that reads back as the very same double (std::to_chars).

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

// Appends the UTF-8 encoding of the code point `code` (at most 0x10FFFF): what a JSON reader makes of a \uXXXX
// escape (and its surrogate pair).
void append_utf8(std::string& out, unsigned code);

}  // namespace shardsim
