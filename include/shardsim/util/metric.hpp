#pragma once
// The catalog of figures a run reports under a stable name: what `[expect]` tables check and what the JSON report
// calls them. It lives here, left of everything, because the scenario loader validates names before a run and the
// report computes values after it (design.md §1: the type moves left).

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "shardsim/util/error.hpp"

namespace shardsim {

enum class MetricUnit {
  count,    // a whole number (parameters, elements, nodes, events)
  ratio,    // a plain number
  bytes,    // written as "4 GB" or a number of bytes
  seconds,  // written as "50 ms" or a number of seconds
  rate,     // per second (tokens/s)
  flag,     // 1 or 0 (true or false)
};

struct MetricInfo {
  std::string_view name;
  MetricUnit unit;
  std::string_view description;
};

std::span<const MetricInfo> metric_catalog();
// The catalog index of `name`, if it is one.
std::optional<std::size_t> metric_index(std::string_view name);
// The symbol of the metric's unit for axis labels: "s", "B", "tokens/s", "W", "J", "tokens/J"; "" for counts,
// plain ratios, flags, cluster_price (its currency is the topology's) and names that are not metrics.
std::string_view metric_symbol(std::string_view name);
// True for the figures only a generation has (time to first token, decode latencies): a scenario without
// prompt_tokens cannot expect them, and reports leave them out.
bool generation_metric(std::string_view name);
// True for the figures only nodes with power_idle and power_busy have (average_power, energy_per_token,
// tokens_per_joule); cluster_price needs every node's price. Reports leave them out when unknown (0 in tables).
bool power_metric(std::string_view name);
// True for the figures only a training step has ([train]).
bool training_metric(std::string_view name);

// One check of an [expect] table: the metric must equal `equals` (within `rel_tol`, relative), and/or lie in
// [min, max], and/or stay within a fraction of a stored baseline: at most `above_baseline` above it ("no more than
// 5 % slower": token_latency = { above_baseline = 0.05 }) and at most `below_baseline` below it. Values are in the
// metric's base unit (bytes, seconds, ...).
struct Expectation {
  std::string metric;
  std::size_t index = 0;  // in metric_catalog()
  SourcePos pos;
  std::optional<double> equals;
  double rel_tol = 0;
  std::optional<double> min;
  std::optional<double> max;
  std::optional<double> above_baseline;
  std::optional<double> below_baseline;

  bool uses_baseline() const { return above_baseline.has_value() || below_baseline.has_value(); }
};

}  // namespace shardsim
