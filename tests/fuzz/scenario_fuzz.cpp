// Fuzz target: a scenario file (the input) loaded against the shipped topologies, then, when it loads and is small,
// run and reported. Any input may be refused with an InputError; anything else escaping (an InternalError, a
// standard exception), a sanitizer report or a timeout is a finding.
// Bounded so that one input cannot run for long: at most 64 compute nodes, a short generation, and a run whose
// memory estimate (study/memory_estimate.hpp) is small; larger inputs are only loaded.

#include <cstddef>
#include <cstdint>
#include <sstream>

#include "fuzz_folder.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/memory_estimate.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/util/error.hpp"

namespace {

constexpr std::size_t kMaxInput = 16 * 1024;
constexpr int kMaxNodes = 64;
constexpr std::int64_t kMaxGeneratedTokens = 8;
constexpr std::uint64_t kMaxRunBytes = 64ull << 20;

bool small_enough(const shardsim::scenario::Scenario& s) {
  if (s.topology.node_count() > kMaxNodes) return false;
  if (s.run.generates() && s.run.generated_tokens > kMaxGeneratedTokens) return false;
  return shardsim::study::bound_run(s, kMaxRunBytes).bytes <= kMaxRunBytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return -1;
  static const shardsim::fuzz::FuzzFolder folder;
  const std::string path = folder.write("scenarios/input.toml", data, size);
  try {
    const shardsim::scenario::Scenario s = shardsim::scenario::load(path);
    if (!small_enough(s)) return 0;
    const shardsim::report::Result result = shardsim::study::run_scenario(s);
    std::ostringstream out;
    shardsim::report::write_text(out, result);
    shardsim::report::write_json(out, result);
  } catch (const shardsim::InputError&) {
    // Refused with a positioned message: what bad input must get.
  }
  return 0;
}
