#pragma once
// Test support: runs the shardsim command line in-process and captures what it prints, and reads files back.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "shardsim/app/cli.hpp"

namespace shardsim::testing {

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

inline Outcome cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = app::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// How many times `what` occurs in `text` (overlapping occurrences counted).
inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace shardsim::testing
