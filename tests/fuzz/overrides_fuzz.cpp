// Fuzz target: what `--set` and `--sweep` parse. The input is lines of text: the first is parsed as a `--sweep`
// argument ("key=v1,v2" or "key=a..b*k") and expanded; every line is then applied as a `--set` override to a small
// shipped scenario (scenarios/seed-layer-4-batch6.toml), which is loaded but not run (an override can ask for any
// size). An InputError is the expected refusal; anything else escaping, or a sanitizer report, is a finding.
// Bounded: an input with a run of more than four digits is skipped (`topology.star.0.nodes=10000000` would load ten
// million nodes, `x=1..1000000000` expand a billion values: slow, not wrong).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/scenario/scenario.hpp"
#include "shardsim/scenario/sweep_axis.hpp"
#include "shardsim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return -1;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t digits = 0;
  for (char c : input) {
    digits = (c >= '0' && c <= '9') ? digits + 1 : 0;
    if (digits > 4) return -1;
  }
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin <= input.size()) {
    const std::size_t end = std::min(input.find('\n', begin), input.size());
    lines.push_back(input.substr(begin, end - begin));
    begin = end + 1;
  }
  try {
    const shardsim::scenario::SweepAxis axis = shardsim::scenario::parse_sweep_argument(lines.front());
    if (axis.values.empty()) __builtin_trap();
  } catch (const shardsim::InputError&) {
  }
  try {
    (void)shardsim::scenario::load(std::string(SHARDSIM_SOURCE_DIR) + "/scenarios/seed-layer-4-batch6.toml", lines);
  } catch (const shardsim::InputError&) {
  }
  return 0;
}
