// Fuzz target: a topology file (the input) loaded and sealed (routes computed), beside the shipped topologies so
// that `include = ["pi-nodes.toml"]` resolves. An InputError is the expected refusal; anything else is a finding.
// Inputs whose integers ask for a large topology are skipped (fuzz_size_cap.hpp).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_folder.hpp"
#include "fuzz_size_cap.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/topo/summary.hpp"
#include "shardsim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16 * 1024) return -1;
  if (!shardsim::fuzz::small_enough_topology({reinterpret_cast<const char*>(data), size})) return -1;
  static const shardsim::fuzz::FuzzFolder folder;
  const std::string path = folder.write("topologies/input.toml", data, size);
  try {
    const shardsim::topo::Topology t = shardsim::scenario::load_topology(path);
    if (shardsim::topo::summary(t).empty()) __builtin_trap();
  } catch (const shardsim::InputError&) {
  }
  return 0;
}
