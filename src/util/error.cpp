#include "shardsim/util/error.hpp"

namespace shardsim {

std::string to_string(const SourcePos& pos) {
  if (pos.line <= 0) return pos.file;
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

InputError::InputError(SourcePos pos, const std::string& message)
    : std::runtime_error(to_string(pos) + ": " + message), pos_(std::move(pos)), message_(message) {}

}  // namespace shardsim
