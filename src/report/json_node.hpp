#pragma once
// A TOML++ tree written as JSON, by hand rather than by TOML++'s json_formatter: numbers in the shortest form that
// reads back as the same double (util/json_text), integers as integers, keys in the order of `leading` first, then
// sorted (TOML++ tables are sorted). Indented by four spaces, "key" : value, as the JSON report always was.

#include <initializer_list>
#include <ostream>
#include <string_view>
#include <toml++/toml.h>

namespace shardsim::report {

void write_json_node(std::ostream& out, const toml::node& node, std::initializer_list<std::string_view> leading = {});

}  // namespace shardsim::report
