#include "shardsim/scenario/toml_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "shardsim/scenario/toml_reader.hpp"

namespace shardsim::scenario {

toml::table parse_toml_file(const std::string& path, const SourcePos& referenced_at) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(referenced_at, "cannot open file '" + path + "'");
  if (std::filesystem::is_directory(path)) throw InputError(referenced_at, "'" + path + "' is a folder, not a file");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    throw InputError(position(e.source(), path), std::string(e.description()));
  }
}

std::string resolve_relative(const std::string& from_file, const std::string& base) {
  std::filesystem::path p(base);
  if (p.is_absolute()) return base;
  return (std::filesystem::path(from_file).parent_path() / p).lexically_normal().string();
}

}  // namespace shardsim::scenario
