#pragma once
// The two kinds of error shardsim raises (design.md §5). InputError is bad user input and carries the
// position it came from (file:line:column; exit code 2). InternalError is a broken invariant (exit code 70).
// Only main() catches them.

#include <stdexcept>
#include <string>

namespace shardsim {

struct SourcePos {
  std::string file;  // as the user named it; "<command line>" for overrides
  int line = 0;      // 1-based; 0 when unknown (then only the file is printed)
  int column = 0;    // 1-based
};

// Formats "file:line:column" (or "file" when the line is unknown).
std::string to_string(const SourcePos& pos);

class InputError : public std::runtime_error {
 public:
  InputError(SourcePos pos, const std::string& message);
  const SourcePos& pos() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  SourcePos pos_;
  std::string message_;
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error("internal error: " + message) {}
};

// Throws InternalError when `condition` is false. For invariants that user input cannot break.
inline void require(bool condition, const char* what) {
  if (!condition) throw InternalError(what);
}

}  // namespace shardsim
