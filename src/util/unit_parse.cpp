#include "shardsim/util/unit_parse.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace shardsim {
namespace {

struct Quantity {
  double value;           // the number as written
  std::string_view unit;  // what follows it, spaces trimmed
};

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Quantity split(std::string_view text, const char* expected) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  std::string_view s = trim(text);
  double value = 0;
  // from_chars is locale-independent, so "1.5" parses the same everywhere.
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || !std::isfinite(value)) {
    throw UnitError("expected a number followed by a unit of " + std::string(expected) + ", got " +
                    quoted(text));
  }
  std::string_view unit = trim(s.substr(static_cast<std::size_t>(end - s.data())));
  if (unit.empty()) {
    throw UnitError("missing unit in " + quoted(text) + ": write it with a unit of " + std::string(expected));
  }
  if (value < 0) throw UnitError("negative quantity " + quoted(text));
  return {value, unit};
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// A base unit and whether its case matters: only where a capital means something else, i.e. "B" (byte) against
// "b" (bit), in "B", "B/s" and "Bps". Words ("bit", "FLOP/s") are matched whatever their case.
struct Base {
  std::string_view name;
  bool case_sensitive;
};

// Splits a metric or binary prefix off `unit` (prefixes in any case: k, K, m, M, g, G, ..., Ki, KI, ki; no unit
// here takes a milli prefix, so "m" can only be mega) if what remains is one of `bases`. "/sec" is read as "/s".
// Returns the multiplier and the base's name as listed, or {0, ""} when nothing matches.
template <std::size_t N>
std::pair<double, std::string_view> match_prefixed(std::string_view written, const std::array<Base, N>& bases) {
  std::string unit(written);
  if (unit.size() > 4 && iequal(std::string_view(unit).substr(unit.size() - 4), "/sec")) unit.resize(unit.size() - 2);
  // Binary prefixes first so that "Gi" is not read as "G" followed by a unit starting with "i".
  static constexpr std::array<std::pair<std::string_view, double>, 11> prefixes{{
      {"ki", 1024.0}, {"mi", 1048576.0}, {"gi", 1073741824.0}, {"ti", 1099511627776.0},
      {"pi", 1125899906842624.0},
      {"", 1.0},
      {"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12}, {"p", 1e15},
  }};
  for (const auto& [prefix, mult] : prefixes) {
    if (unit.size() < prefix.size() || !iequal(std::string_view(unit).substr(0, prefix.size()), prefix)) continue;
    const std::string_view rest = std::string_view(unit).substr(prefix.size());
    for (const Base& base : bases) {
      if (base.case_sensitive ? rest == base.name : iequal(rest, base.name)) return {mult, base.name};
    }
  }
  return {0, ""};
}

}  // namespace

Time parse_time(std::string_view text) {
  static constexpr const char* kind = "time (s, ms, us, ns, ps)";
  Quantity q = split(text, kind);
  static constexpr std::array<std::pair<std::string_view, double>, 7> units{{
      {"s", 1e12}, {"ms", 1e9}, {"us", 1e6}, {"\xC2\xB5s", 1e6}, {"ns", 1e3}, {"ps", 1.0}, {"min", 60e12},
  }};
  for (const auto& [name, ps] : units) {
    // No time unit differs from another by case alone (there is no mega- or petasecond here): "MS" is ms.
    if (!iequal(q.unit, name)) continue;
    const double count = std::round(q.value * ps);
    // int64 picoseconds reach 9.22e18 ps (about 107 days); beyond that llround is undefined.
    if (count > 9.2e18) throw UnitError(quoted(text) + " is too long (at most about 100 days)");
    return Time{static_cast<std::int64_t>(count)};
  }
  throw UnitError("unknown unit " + quoted(q.unit) + " in " + quoted(text) + ": expected " + kind);
}

Bytes parse_bytes(std::string_view text) {
  static constexpr const char* kind = "size (B, kB, MB, GB, KiB, MiB, GiB, bit, ...)";
  Quantity q = split(text, kind);
  static constexpr std::array<Base, 4> bases{{{"B", true}, {"bit", false}, {"bits", false}, {"b", true}}};
  auto [mult, base] = match_prefixed(q.unit, bases);
  if (mult == 0) throw UnitError("unknown unit " + quoted(q.unit) + " in " + quoted(text) + ": expected " + kind);
  double bytes = q.value * mult / (base == "B" ? 1.0 : 8.0);
  double whole = std::round(bytes);
  if (std::abs(bytes - whole) > 1e-6 * std::max(1.0, whole)) {
    throw UnitError(quoted(text) + " is not a whole number of bytes");
  }
  if (whole > 9.2e18) throw UnitError(quoted(text) + " is too large");
  return Bytes{static_cast<std::int64_t>(whole)};
}

ByteRate parse_byte_rate(std::string_view text) {
  static constexpr const char* kind = "bandwidth (B/s, MB/s, GiB/s, bit/s, Mbit/s, Gbit/s, Gbps, ...)";
  Quantity q = split(text, kind);
  static constexpr std::array<Base, 6> bases{
      {{"B/s", true}, {"bit/s", false}, {"bits/s", false}, {"b/s", true}, {"bps", true}, {"Bps", true}}};
  auto [mult, base] = match_prefixed(q.unit, bases);
  if (mult == 0) throw UnitError("unknown unit " + quoted(q.unit) + " in " + quoted(text) + ": expected " + kind);
  return ByteRate{q.value * mult / (base == "B/s" || base == "Bps" ? 1.0 : 8.0)};
}

FlopRate parse_flop_rate(std::string_view text) {
  static constexpr const char* kind = "FLOP rate (FLOP/s, GFLOP/s, TFLOP/s, GFLOPS, ...)";
  Quantity q = split(text, kind);
  static constexpr std::array<Base, 2> bases{{{"FLOP/s", false}, {"FLOPS", false}}};
  auto [mult, base] = match_prefixed(q.unit, bases);
  if (mult == 0) throw UnitError("unknown unit " + quoted(q.unit) + " in " + quoted(text) + ": expected " + kind);
  return FlopRate{q.value * mult};
}

namespace {

std::string fixed(double v, int decimals, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %s", decimals, v, unit);
  return buf;
}

struct Scale {
  double factor;
  const char* unit;
};

// Prints `v` with three decimals in the largest unit of `scales` (largest first) that it reaches, or that the
// next smaller unit would print as 1000.000: so 0.9999999 ms prints "1.000 ms", never "1000.000 us", while
// 999.999 ns stays "999.999 ns".
template <std::size_t N>
std::string scaled(double v, const std::array<Scale, N>& scales) {
  const double a = std::abs(v);
  for (std::size_t i = 0; i + 1 < N; ++i) {
    const bool reaches = a >= scales[i].factor;
    const bool next_prints_1000 = std::round(a / scales[i + 1].factor * 1000.0) >= 1e6;
    if (reaches || next_prints_1000) return fixed(v / scales[i].factor, 3, scales[i].unit);
  }
  return fixed(v / scales[N - 1].factor, 3, scales[N - 1].unit);
}

}  // namespace

std::string format_time(Time t) {
  static constexpr std::array<Scale, 4> scales{{{1.0, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}}};
  return scaled(t.seconds(), scales);
}

std::string format_bytes(Bytes b) {
  // Below 1 kB the exact count; "999.9996 B" would be no help.
  if (std::abs(b.count) < 1000) return std::to_string(b.count) + " B";
  static constexpr std::array<Scale, 4> scales{{{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}}};
  return scaled(static_cast<double>(b.count), scales);
}

std::string format_byte_rate(ByteRate r) {
  static constexpr std::array<Scale, 4> scales{{{1e9, "GB/s"}, {1e6, "MB/s"}, {1e3, "kB/s"}, {1.0, "B/s"}}};
  return scaled(r.per_second, scales);
}

}  // namespace shardsim
