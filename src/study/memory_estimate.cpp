#include "shardsim/study/memory_estimate.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "shardsim/study/pipeline.hpp"
#include "shardsim/util/metric.hpp"

namespace shardsim::study {
namespace {

// The bytes a cell's text of `length` characters takes beyond the Cell itself: nothing while it fits std::string's
// inline buffer (its capacity when empty), else a heap block of length + 1 (the terminating zero).
std::size_t text_bytes(std::size_t length) {
  static const std::size_t inline_capacity = std::string().capacity();
  return length <= inline_capacity ? 0 : heap_block(length + 1);
}

}  // namespace

std::size_t heap_block(std::size_t request) { return std::max<std::size_t>(32, (request + 8 + 15) / 16 * 16); }

std::uint64_t sweep_table_bytes(const SweepSpec& spec, std::size_t points) {
  std::size_t columns = 1 + spec.axes.size() + metric_catalog().size();
  // The point number's text: at most 20 digits.
  std::size_t texts = text_bytes(20);
  for (const scenario::SweepAxis& axis : spec.axes) {
    std::size_t longest = 0;
    for (const std::string& v : axis.values) longest = std::max(longest, v.size());
    texts += text_bytes(longest);
  }
  texts += metric_catalog().size() * text_bytes(kLongestFigureText);
  const std::size_t row = sizeof(std::vector<table::Cell>) + heap_block(columns * sizeof(table::Cell)) + texts;
  return static_cast<std::uint64_t>(row) * points;
}

namespace {

// The size's bytes, and a generation's second graph (each pass is planned while the decode step's graph is held).
RunEstimate with_bytes(const scenario::Scenario& scenario, const exec::RunSizeBound& size) {
  RunEstimate estimate;
  estimate.size = size;
  double bytes = size.bytes();
  if (scenario.run.generates()) bytes += size.graph_bytes;
  estimate.bytes = bytes >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(bytes);
  return estimate;
}

}  // namespace

RunEstimate estimate_run(const scenario::Scenario& scenario) {
  const plan::PlannedWorkload planned = plan_scenario(scenario);
  return with_bytes(scenario, exec::run_size_bound(scenario.topology, planned.graph, scenario.network));
}

RunEstimate floor_run(const scenario::Scenario& scenario) {
  RunEstimate floor =
      with_bytes(scenario, exec::run_size_floor(scenario.topology, floor_scenario(scenario), scenario.network));
  floor.lower_bound = true;
  return floor;
}

RunEstimate bound_run(const scenario::Scenario& scenario, std::uint64_t limit) {
  if (limit != 0) {
    RunEstimate floor = floor_run(scenario);
    if (floor.bytes > limit) return floor;
  }
  return estimate_run(scenario);
}

std::uint64_t search_table_bytes(const std::vector<Candidate>& candidates) {
  const std::size_t metrics = metric_catalog().size();
  const std::size_t columns = 4 + metrics;  // point, plan, verdict, reason, the figures (search_slice)
  std::uint64_t bytes = 2 * (sizeof(Candidate) + sizeof(Outcome)) * candidates.size();
  for (const Candidate& c : candidates) {
    const std::size_t texts = text_bytes(c.plan_toml.size()) + text_bytes(c.label.size());
    const std::size_t outcome = heap_block(metrics * sizeof(double)) + text_bytes(kLongestReason);
    const std::size_t row = sizeof(std::vector<table::Cell>) + heap_block(columns * sizeof(table::Cell)) +
                            text_bytes(20) + texts + text_bytes(kLongestReason) +
                            metrics * text_bytes(kLongestFigureText);
    bytes += texts + outcome + row;
  }
  return bytes;
}

}  // namespace shardsim::study
