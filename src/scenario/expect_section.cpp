#include "sections.hpp"
#include "shardsim/util/suggest.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::scenario {
namespace {

double expected_value(const toml::node& n, const MetricInfo& metric, const std::string& file, const std::string& key) {
  const SourcePos pos = position(n, file);
  if (auto b = n.value_exact<bool>()) {
    if (metric.unit != MetricUnit::flag) throw InputError(pos, key + ": true/false only for 0/1 figures");
    return *b ? 1.0 : 0.0;
  }
  if (n.is_number()) return *n.value<double>();
  if (auto s = n.value_exact<std::string>()) {
    try {
      switch (metric.unit) {
        case MetricUnit::seconds: return parse_time(*s).seconds();
        case MetricUnit::bytes: return static_cast<double>(parse_bytes(*s).count);
        default: break;
      }
    } catch (const UnitError& e) {
      throw InputError(pos, key + ": " + e.what());
    }
    throw InputError(pos, key + ": expected a number, got a string");
  }
  throw InputError(pos, key + ": expected a number, a quantity with its unit, or a table {min, max, value, rel}");
}

}  // namespace

std::vector<Expectation> read_expectations(TomlReader& r) {
  std::vector<Expectation> out;
  const toml::table* table = r.table("expect");
  if (!table) return out;
  std::vector<std::string_view> names;
  for (const MetricInfo& m : metric_catalog()) names.push_back(m.name);
  for (const auto& [key, value] : *table) {
    const std::string name(key.str());
    const std::string path = "expect." + name;
    const auto index = metric_index(name);
    if (!index) {
      std::string message = "unknown metric '" + path + "'";
      if (auto best = closest_match(name, names)) message += " (did you mean '" + *best + "'?)";
      throw InputError(position(key.source(), r.file()), message);
    }
    const MetricInfo& metric = metric_catalog()[*index];
    Expectation e;
    e.metric = name;
    e.index = *index;
    e.pos = position(value, r.file());
    if (const toml::table* bounds = value.as_table()) {
      TomlReader b(*bounds, r.file(), path);
      auto get = [&](std::string_view k) -> std::optional<double> {
        const toml::node* n = b.node(k);
        if (!n) return std::nullopt;
        return expected_value(*n, metric, r.file(), b.path(k));
      };
      e.min = get("min");
      e.max = get("max");
      e.equals = get("value");
      if (const toml::node* rel = b.node("rel")) {
        if (!rel->is_number() || *rel->value<double>() < 0) b.fail("rel", "expected a non-negative number");
        if (!e.equals) b.fail("rel", "'rel' needs 'value'");
        e.rel_tol = *rel->value<double>();
      }
      auto fraction = [&](std::string_view k) -> std::optional<double> {
        const toml::node* n = b.node(k);
        if (!n) return std::nullopt;
        if (!n->is_number() || *n->value<double>() < 0) b.fail(k, "expected a non-negative fraction, e.g. 0.05");
        return *n->value<double>();
      };
      e.above_baseline = fraction("above_baseline");
      e.below_baseline = fraction("below_baseline");
      b.finish();
      if (!e.min && !e.max && !e.equals && !e.uses_baseline()) {
        throw InputError(e.pos, path + ": give min, max, value, above_baseline or below_baseline");
      }
      if (e.min && e.max && *e.min > *e.max) throw InputError(e.pos, path + ": min is above max");
    } else {
      e.equals = expected_value(value, metric, r.file(), path);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace shardsim::scenario
