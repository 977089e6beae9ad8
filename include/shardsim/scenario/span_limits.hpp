#pragma once
// Load-time limits that keep simulated time far inside Time's range (util/units.hpp: about 106 days).
// No single span may exceed kLongestSpan (one week): not a duration the user writes (a latency, an overhead), and
// not the time a rate implies for the largest piece of work the scenario can give it. That piece is bounded from
// the loaded model and run (WorkBound): no transfer carries, and no op touches, more bytes than one whole pass
// (or training step) reads and writes plus the weights (and training state), and no op does more FLOPs than the
// whole pass. The bound is generous on purpose: it only refuses rates absurd for the scenario
// ("0.01 bit/s" for a 7B model), each at the key that set it.

#include <set>
#include <string>
#include <vector>
#include <toml++/toml.h>

#include "shardsim/scenario/scenario.hpp"
#include "shardsim/scenario/topology_file.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::scenario {

inline constexpr Time kLongestSpan = Time::from_us(7LL * 24 * 3600 * 1'000'000);  // one week
inline constexpr const char* kLongestSpanText = "a week";

// Upper bounds of one transfer's payload or one op's bytes, and of one op's FLOPs (doubles: never overflow).
struct WorkBound {
  double bytes = 0;
  double flops = 0;
};
WorkBound work_bound(const Scenario& s);

// A duration or rate as written, where: collected while the files are at hand, checked once the bound is known.
struct SpanSite {
  SourcePos pos;
  std::string path;  // dotted key ("star.0.bandwidth")
  std::string text;  // "0.01 bit/s"
  int kind = 0;      // what the key holds (span_limits.cpp)
};

// The durations and rates of the topology `table` (read from `file`) and of the files it includes, and those of
// node-type patches (calibration files, --set of a node type's fields).
std::vector<SpanSite> span_sites(const toml::table& table, const std::string& file);
std::vector<SpanSite> span_sites(const std::vector<NodeTypePatch>& patches);

// Checks each site against `bound`: link and switch bandwidths, memory and storage bandwidths against bound.bytes,
// FLOP rates (flop_rate, decode_rates, prefill_rates) against bound.flops, durations against kLongestSpan. Throws
// InputError at the first whose span exceeds kLongestSpan. A node type's sites ("node_types.TYPE...") are checked
// only when TYPE is in `used_types` (the types of the topology's nodes): a library of node types (pi-nodes.toml)
// holds types that no node of the cluster is, whose rates never time anything (a Pi 3's fp16 rate against a
// million-Pi-5 step's FLOPs must not refuse it). Every node of the topology counts, not only the plan's: a search
// or a plan.use may run on any of them.
void check_spans(const std::vector<SpanSite>& sites, const WorkBound& bound, const std::set<std::string>& used_types);

// The node types of the topology's nodes.
std::set<std::string> used_node_types(const topo::Topology& topology);

}  // namespace shardsim::scenario
