#pragma once
// Reading a TOML file into a table, with errors that say where: a missing file is reported at the place that
// named it, a syntax error at its own line and column.

#include <string>
#include <toml++/toml.h>

#include "shardsim/util/error.hpp"

namespace shardsim::scenario {

// `referenced_at` is where the file was named (the command line, or an include/topology key).
toml::table parse_toml_file(const std::string& path, const SourcePos& referenced_at);

// `base` relative to the folder holding `from_file` (unless `base` is absolute).
std::string resolve_relative(const std::string& from_file, const std::string& base);

}  // namespace shardsim::scenario
