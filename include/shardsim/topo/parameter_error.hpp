#pragma once
// The error a topology generator raises for a parameter out of range. It is an InputError at the generator's
// position; `key` names the parameter as topology files spell it, so the file reader can point at the value
// itself ("tree.0.ports: must be at least 2").

#include <string>

#include "shardsim/util/error.hpp"

namespace shardsim::topo {

class ParameterError : public InputError {
 public:
  ParameterError(SourcePos where, std::string key, std::string detail)
      : InputError(std::move(where), key + ": " + detail), key_(std::move(key)), detail_(std::move(detail)) {}
  const std::string& key() const { return key_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string key_;
  std::string detail_;
};

}  // namespace shardsim::topo
