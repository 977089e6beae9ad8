#pragma once
// How Catch2 prints shardsim's unit types when an assertion fails (instead of "{?}").

#include <catch2/catch.hpp>
#include <string>

#include "shardsim/util/units.hpp"

namespace Catch {
template <>
struct StringMaker<shardsim::Time> {
  static std::string convert(const shardsim::Time& t) { return std::to_string(t.ps) + " ps"; }
};
template <>
struct StringMaker<shardsim::Bytes> {
  static std::string convert(const shardsim::Bytes& b) { return std::to_string(b.count) + " B"; }
};
template <>
struct StringMaker<shardsim::Flop> {
  static std::string convert(const shardsim::Flop& f) { return std::to_string(f.count) + " FLOP"; }
};
}  // namespace Catch
