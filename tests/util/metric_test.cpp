// The metric catalog: the stable names [expect] tables and JSON reports use. Names must be unique (a duplicate
// would make metric_index ambiguous), snake_case (design.md §4: keys are snake_case), and described.

#include <catch2/catch.hpp>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "shardsim/util/metric.hpp"

using shardsim::metric_catalog;
using shardsim::metric_index;
using shardsim::MetricUnit;

TEST_CASE("metric names are unique") {
  const auto catalog = metric_catalog();
  REQUIRE_FALSE(catalog.empty());
  std::set<std::string_view> names;
  for (const auto& m : catalog) {
    INFO("metric " << std::string(m.name));
    CHECK(names.insert(m.name).second);
  }
  CHECK(names.size() == catalog.size());
}

TEST_CASE("metric_index finds every metric at its own position") {
  const auto catalog = metric_catalog();
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    INFO("metric " << std::string(catalog[i].name));
    const auto index = metric_index(catalog[i].name);
    REQUIRE(index.has_value());
    CHECK(*index == i);
  }
}

TEST_CASE("metric_index rejects names that are not in the catalog") {
  CHECK_FALSE(metric_index("no_such_metric").has_value());
  CHECK_FALSE(metric_index("").has_value());
  CHECK_FALSE(metric_index("Token_Latency").has_value());  // names are case-sensitive
  CHECK_FALSE(metric_index("token_latency ").has_value());  // and not trimmed
}

TEST_CASE("metric names are snake_case and every metric is described") {
  for (const auto& m : metric_catalog()) {
    INFO("metric " << std::string(m.name));
    REQUIRE_FALSE(m.name.empty());
    CHECK(m.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos);
    CHECK(m.name.front() != '_');
    CHECK(m.name.back() != '_');
    CHECK_FALSE(m.description.empty());
  }
}

TEST_CASE("metrics the scenario files and seed checks rely on have the right units") {
  // An [expect] value "120 s" is read as seconds only for a seconds metric and "4 GB" as bytes only for a
  // bytes metric, so these units decide how scenario files are parsed.
  auto unit_of = [](std::string_view name) {
    const auto index = metric_index(name);
    REQUIRE(index.has_value());
    return metric_catalog()[*index].unit;
  };
  CHECK(unit_of("token_latency") == MetricUnit::seconds);
  CHECK(unit_of("layer_payload_delivered_bytes") == MetricUnit::bytes);
  CHECK(unit_of("layer_payload_delivered_elements") == MetricUnit::count);
  CHECK(unit_of("max_resident_bytes") == MetricUnit::bytes);
  CHECK(unit_of("fits") == MetricUnit::flag);
  CHECK(unit_of("tokens_per_second") == MetricUnit::rate);
  CHECK(unit_of("fraction") == MetricUnit::ratio);
  CHECK(unit_of("nodes") == MetricUnit::count);
}
