#include "shardsim/report/expectation_check.hpp"

#include <cmath>
#include <cstdio>

#include "shardsim/util/unit_parse.hpp"

namespace shardsim::report {

std::string format_figure(double value, MetricUnit unit) {
  char buf[64];
  switch (unit) {
    case MetricUnit::seconds:
      return format_time(Time::from_seconds(value));
    case MetricUnit::bytes:
    case MetricUnit::count:
    case MetricUnit::flag:
      std::snprintf(buf, sizeof buf, "%.0f%s", value, unit == MetricUnit::bytes ? " B" : "");
      return buf;
    case MetricUnit::ratio:  // exact ratios such as the seed's fraction 0.0009765625 print in full
      std::snprintf(buf, sizeof buf, "%.10g", value);
      return buf;
    case MetricUnit::rate:
      std::snprintf(buf, sizeof buf, "%.6g", value);
      return buf;
  }
  return "?";
}

std::vector<CheckOutcome> check(const std::vector<Expectation>& expectations, const std::vector<double>& figures,
                                const std::vector<double>* baseline) {
  std::vector<CheckOutcome> out;
  for (const Expectation& e : expectations) {
    const MetricUnit unit = metric_catalog()[e.index].unit;
    CheckOutcome o{e, figures.at(e.index), true, false, ""};
    auto f = [unit](double v) { return format_figure(v, unit); };
    if (e.equals) {
      const double tolerance = e.rel_tol * std::abs(*e.equals);
      o.passed = std::abs(o.actual - *e.equals) <= tolerance;
      o.wanted = "= " + f(*e.equals);
      if (e.rel_tol > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " (rel %g)", e.rel_tol);
        o.wanted += buf;
      }
    }
    if (e.min && e.max) {
      o.passed = o.passed && o.actual >= *e.min && o.actual <= *e.max;
      o.wanted += (o.wanted.empty() ? "" : ", ") + std::string("in [") + f(*e.min) + ", " + f(*e.max) + "]";
    } else if (e.min) {
      o.passed = o.passed && o.actual >= *e.min;
      o.wanted += (o.wanted.empty() ? "" : ", ") + std::string(">= ") + f(*e.min);
    } else if (e.max) {
      o.passed = o.passed && o.actual <= *e.max;
      o.wanted += (o.wanted.empty() ? "" : ", ") + std::string("<= ") + f(*e.max);
    }
    if (e.uses_baseline()) {
      auto add = [&o](const std::string& text) { o.wanted += (o.wanted.empty() ? "" : ", ") + text; };
      if (baseline == nullptr) {
        o.skipped = true;
        add("baseline (none given)");
      } else {
        const double base = baseline->at(e.index);
        char pct[32];
        if (e.above_baseline) {
          std::snprintf(pct, sizeof pct, "%g%%", *e.above_baseline * 100);
          o.passed = o.passed && o.actual <= base * (1 + *e.above_baseline);
          add("<= baseline " + f(base) + " + " + pct);
        }
        if (e.below_baseline) {
          std::snprintf(pct, sizeof pct, "%g%%", *e.below_baseline * 100);
          o.passed = o.passed && o.actual >= base * (1 - *e.below_baseline);
          add(">= baseline " + f(base) + " - " + pct);
        }
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace shardsim::report
