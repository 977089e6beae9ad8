#include "shardsim/scenario/sweep_axis.hpp"

#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

namespace shardsim::scenario {
namespace {

std::optional<double> number(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Integers print without a decimal point so that "8" stays an integer for integer keys.
std::string text(double v) {
  if (std::abs(v - std::round(v)) < 1e-9 && std::abs(v) < 9e15) return std::to_string(std::llround(v));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

std::optional<std::int64_t> integer(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A range whose bounds and step are all integers counts in int64, exactly to the last value (a double holds
// integers exactly only up to 2^53, and prints larger ones as "9.22337203685e+18"). Stops before a step that would
// leave int64. Empty when the range is not all integers.
std::vector<std::string> integer_range(std::string_view lo_text, std::string_view hi_text, std::string_view step_text,
                                       char op, const std::string& s, const SourcePos& where) {
  const auto lo = integer(lo_text);
  const auto hi = integer(hi_text);
  const auto step = integer(step_text);
  if (!lo || !hi || !step) return {};
  if (*hi < *lo) throw InputError(where, "range '" + s + "' ends below where it starts");
  if ((op == '+' && *step <= 0) || (op == '*' && (*step <= 1 || *lo <= 0))) {
    throw InputError(where, "range '" + s + "' would never reach its end");
  }
  std::vector<std::string> out;
  for (std::int64_t v = *lo;;) {
    out.push_back(std::to_string(v));
    if (out.size() > 100000) throw InputError(where, "range '" + s + "' has more than 100000 values");
    std::int64_t next = 0;
    const bool overflows = op == '*' ? __builtin_mul_overflow(v, *step, &next) : __builtin_add_overflow(v, *step, &next);
    if (overflows || next > *hi) break;
    v = next;
  }
  return out;
}

}  // namespace

std::vector<std::string> expand_range(const std::string& s, const SourcePos& where) {
  const auto dots = s.find("..");
  if (dots == std::string::npos) return {};
  const auto op_at = s.find_first_of("*+", dots + 2);
  const std::string lo_text = s.substr(0, dots);
  const std::string hi_text = s.substr(dots + 2, op_at == std::string::npos ? std::string::npos : op_at - dots - 2);
  const std::string step_text = op_at == std::string::npos ? "1" : s.substr(op_at + 1);
  const char op = op_at == std::string::npos ? '+' : s[op_at];
  if (auto exact = integer_range(lo_text, hi_text, step_text, op, s, where); !exact.empty()) return exact;
  const auto lo = number(lo_text);
  const auto hi = number(hi_text);
  const auto step = number(step_text);
  if (!lo || !hi || !step) {
    throw InputError(where, "'" + s + "' is not a range: write a..b (step 1), a..b+k or a..b*k, e.g. 8..1024*2");
  }
  if (*hi < *lo) throw InputError(where, "range '" + s + "' ends below where it starts");
  if ((op == '+' && *step <= 0) || (op == '*' && (*step <= 1 || *lo <= 0))) {
    throw InputError(where, "range '" + s + "' would never reach its end");
  }
  std::vector<std::string> out;
  // Beyond 2^53 a double skips integers: such a range must be written in integers (counted exactly above).
  if (std::abs(*lo) > 9e15 || std::abs(*hi) > 9e15) {
    throw InputError(where, "range '" + s + "' reaches beyond 9e15, where decimal steps lose digits: write it in "
                            "whole numbers (they are counted exactly up to 9223372036854775807)");
  }
  for (double v = *lo; v <= *hi * (1 + 1e-12); v = op == '*' ? v * *step : v + *step) {
    out.push_back(text(v));
    if (out.size() > 100000) throw InputError(where, "range '" + s + "' has more than 100000 values");
  }
  return out;
}

SweepAxis parse_sweep_argument(const std::string& arg) {
  const SourcePos where{"--sweep " + arg, 0, 0};
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    throw InputError(where, "expected key=v1,v2,... or key=a..b*k");
  }
  SweepAxis axis{arg.substr(0, eq), {}, where};
  const std::string values = arg.substr(eq + 1);
  axis.values = expand_range(values, where);
  if (axis.values.empty()) {
    for (std::size_t start = 0;;) {
      const auto comma = values.find(',', start);
      std::string v = values.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (v.empty()) throw InputError(where, "empty value in the list");
      axis.values.push_back(std::move(v));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return axis;
}

}  // namespace shardsim::scenario
