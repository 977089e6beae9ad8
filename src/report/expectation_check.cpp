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
                                const BaselineFigures& baseline, bool strict) {
  std::vector<CheckOutcome> out;
  for (const Expectation& e : expectations) {
    const MetricUnit unit = metric_catalog()[e.index].unit;
    CheckOutcome o{e, figures.at(e.index), true, false, "", ""};
    auto f = [unit](double v) { return format_figure(v, unit); };
    auto add = [&o](const std::string& text) { o.wanted += (o.wanted.empty() ? "" : ", ") + text; };
    auto not_evaluated = [&o](const std::string& why) { o.unevaluated += (o.unevaluated.empty() ? "" : "; ") + why; };
    if (e.equals) {
      const double tolerance = e.rel_tol * std::abs(*e.equals);
      o.passed = std::abs(o.actual - *e.equals) <= tolerance;
      add("= " + f(*e.equals));
      if (e.rel_tol > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " (rel %g)", e.rel_tol);
        o.wanted += buf;
      }
    }
    if (e.min && e.max) {
      o.passed = o.passed && o.actual >= *e.min && o.actual <= *e.max;
      add("in [" + f(*e.min) + ", " + f(*e.max) + "]");
    } else if (e.min) {
      o.passed = o.passed && o.actual >= *e.min;
      add(">= " + f(*e.min));
    } else if (e.max) {
      o.passed = o.passed && o.actual <= *e.max;
      add("<= " + f(*e.max));
    }
    if (e.uses_baseline()) {
      // A baseline that lacks this metric (written by an older version) is as good as none for this check.
      const bool have = baseline.figures != nullptr && !std::isnan(baseline.figures->at(e.index));
      const std::string why = baseline.figures == nullptr
                                  ? baseline.why_none
                                  : "the baseline has no " + e.metric + " for this scenario";
      auto bound = [&](const std::optional<double>& fraction, const char* key, const char* sign) {
        if (!fraction) return;
        char pct[32];
        std::snprintf(pct, sizeof pct, "%g%%", *fraction * 100);
        if (!have) {
          add(std::string("baseline ") + sign + " " + pct + " (not evaluated)");
          not_evaluated(std::string(key) + ": " + why);
          return;
        }
        const double base = baseline.figures->at(e.index);
        const bool above = sign[0] == '+';
        o.passed = o.passed && (above ? o.actual <= base * (1 + *fraction) : o.actual >= base * (1 - *fraction));
        add(std::string(above ? "<= " : ">= ") + "baseline " + f(base) + " " + sign + " " + pct);
      };
      bound(e.above_baseline, "above_baseline", "+");
      bound(e.below_baseline, "below_baseline", "-");
    }
    if (!o.unevaluated.empty()) {
      // A failed bound is a failure whatever else could not be evaluated; otherwise strict decides.
      if (strict) {
        o.passed = false;
      } else if (o.passed) {
        o.skipped = true;
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace shardsim::report
