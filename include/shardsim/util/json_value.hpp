#pragma once
// Reading JSON (RFC 8259) that other tools wrote (llama-bench -o json, iperf3 -J) into a small tree whose every
// value knows its line and column, so that a missing or malformed field is reported where it is. Numbers are
// doubles; strings are unescaped (\uXXXX to UTF-8, surrogate pairs joined); objects keep their keys in file order.
// Not a general-purpose library: no streaming, no writing (json_text.hpp writes), nesting limited to 200 levels.

#include <string>
#include <string_view>
#include <vector>

#include "shardsim/util/error.hpp"

namespace shardsim {

struct JsonMember;

struct JsonValue {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> items;                             // an array's
  std::vector<JsonMember> members;                          // an object's, in file order
  SourcePos pos;                                            // where the value starts

  // The member `key` of an object (the first, if repeated); nullptr if absent or not an object.
  const JsonValue* find(std::string_view key) const;
};

struct JsonMember {
  std::string name;
  JsonValue value;
};

// Parses `text`, read from `file`. InputError at file:line:column for anything that is not JSON.
JsonValue parse_json(std::string_view text, const std::string& file);
// Reads and parses the file at `path`; InputError when it cannot be read.
JsonValue read_json_file(const std::string& path);

}  // namespace shardsim
