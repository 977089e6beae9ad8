#pragma once
// Test support: a temporary folder for scenario and topology files written from string literals, a helper that
// returns the InputError a call throws, and one that checks its position and message.

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "shardsim/util/error.hpp"

namespace shardsim::testing {

// A folder of its own under the system's temporary folder, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("shardsim-test-" + std::to_string(random()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // Writes `text` to `name` (creating folders) and returns its path.
  std::string write(const std::string& name, std::string_view text) const {
    const auto p = dir_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
    REQUIRE(out.good());
    return path(name);
  }

 private:
  std::filesystem::path dir_;
};

// The InputError `f` throws; fails the test if it throws none.
template <class F>
InputError input_error(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  FAIL("expected an InputError");
  throw std::logic_error("unreachable");
}

// The message starts with "file:line:column: " and contains every part (the key's dotted path and what is wrong).
inline void check_error(const InputError& e, const std::string& file, int line, int column,
                        std::initializer_list<std::string_view> parts) {
  const std::string what = e.what();
  INFO("message: " << what);
  CHECK_THAT(what, Catch::Matchers::StartsWith(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": "));
  for (std::string_view part : parts) CHECK_THAT(what, Catch::Matchers::Contains(std::string(part)));
}

}  // namespace shardsim::testing
