#pragma once
// Typed physical quantities used everywhere in shardsim.
// Time is an integer count of picoseconds (so event order never depends on floating-point rounding);
// byte and FLOP counts are integers; rates are doubles in units per second.
//
// Time's range: int64 picoseconds, so at most 9,223,372 s (about 106.75 days) either way. Time's arithmetic is
// checked: a sum, difference or product outside that range throws InternalError ("simulated time exceeds ...")
// instead of wrapping (which would be undefined behaviour and reorder events). The scenario loader keeps inputs far
// below it (scenario/span_limits.hpp: no duration, and no transfer or op a rate implies, longer than a day or a
// week), so only a run whose whole simulated time nears the range can reach that error.

#include <compare>
#include <cstdint>
#include <limits>

#include "shardsim/util/error.hpp"

namespace shardsim {

namespace units_detail {
[[noreturn]] inline void time_out_of_range() {
  throw InternalError("simulated time exceeds Time's range (int64 picoseconds: about 106 days)");
}
constexpr std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) time_out_of_range();
  return r;
}
constexpr std::int64_t checked_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) time_out_of_range();
  return r;
}
constexpr std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) time_out_of_range();
  return r;
}
}  // namespace units_detail

struct Time {
  std::int64_t ps = 0;

  static constexpr Time from_ps(std::int64_t v) { return Time{v}; }
  static constexpr Time from_ns(std::int64_t v) { return Time{units_detail::checked_mul(v, 1000)}; }
  static constexpr Time from_us(std::int64_t v) { return Time{units_detail::checked_mul(v, 1000 * 1000)}; }
  static constexpr Time max() { return Time{std::numeric_limits<std::int64_t>::max()}; }
  // Rounds to the nearest picosecond; a value outside the range (or NaN) throws InternalError.
  static Time from_seconds(double s);
  // A division, not a product with 1e-12 (which is not a double): the result is the double nearest the exact
  // decimal, so 316512000 ps prints as 0.000316512 rather than 0.00031651199999999997.
  constexpr double seconds() const { return static_cast<double>(ps) / 1e12; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time& operator+=(Time o) { ps = units_detail::checked_add(ps, o.ps); return *this; }
  constexpr Time& operator-=(Time o) { ps = units_detail::checked_sub(ps, o.ps); return *this; }
};
constexpr Time operator+(Time a, Time b) { return Time{units_detail::checked_add(a.ps, b.ps)}; }
constexpr Time operator-(Time a, Time b) { return Time{units_detail::checked_sub(a.ps, b.ps)}; }
constexpr Time operator*(Time a, std::int64_t k) { return Time{units_detail::checked_mul(a.ps, k)}; }

struct Bytes {
  std::int64_t count = 0;
  constexpr auto operator<=>(const Bytes&) const = default;
  constexpr Bytes& operator+=(Bytes o) { count += o.count; return *this; }
};
constexpr Bytes operator+(Bytes a, Bytes b) { return Bytes{a.count + b.count}; }
constexpr Bytes operator-(Bytes a, Bytes b) { return Bytes{a.count - b.count}; }
constexpr Bytes operator*(Bytes a, std::int64_t k) { return Bytes{a.count * k}; }

// A count of floating-point operations (a multiply-add is two).
struct Flop {
  std::int64_t count = 0;
  constexpr auto operator<=>(const Flop&) const = default;
  constexpr Flop& operator+=(Flop o) { count += o.count; return *this; }
};
constexpr Flop operator+(Flop a, Flop b) { return Flop{a.count + b.count}; }
constexpr Flop operator*(Flop a, std::int64_t k) { return Flop{a.count * k}; }

// Bytes per second (memory, storage and link bandwidth).
struct ByteRate {
  double per_second = 0;
  constexpr auto operator<=>(const ByteRate&) const = default;
};

// Floating-point operations per second.
struct FlopRate {
  double per_second = 0;
  constexpr auto operator<=>(const FlopRate&) const = default;
};

// Time to move `b` at rate `r`, rounded to the nearest picosecond. `r` must be positive.
Time transfer_time(Bytes b, ByteRate r);
// Time to execute `f` at rate `r`, rounded to the nearest picosecond. `r` must be positive.
Time compute_time(Flop f, FlopRate r);

}  // namespace shardsim
