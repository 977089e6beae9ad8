#pragma once
// Typed physical quantities used everywhere in shardsim.
// Time is an integer count of picoseconds (so event order never depends on floating-point rounding);
// byte and FLOP counts are integers; rates are doubles in units per second.

#include <compare>
#include <cstdint>

namespace shardsim {

struct Time {
  std::int64_t ps = 0;

  static constexpr Time from_ps(std::int64_t v) { return Time{v}; }
  static constexpr Time from_ns(std::int64_t v) { return Time{v * 1000}; }
  static constexpr Time from_us(std::int64_t v) { return Time{v * 1000 * 1000}; }
  // Rounds to the nearest picosecond.
  static Time from_seconds(double s);
  // A division, not a product with 1e-12 (which is not a double): the result is the double nearest the exact
  // decimal, so 316512000 ps prints as 0.000316512 rather than 0.00031651199999999997.
  constexpr double seconds() const { return static_cast<double>(ps) / 1e12; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time& operator+=(Time o) { ps += o.ps; return *this; }
  constexpr Time& operator-=(Time o) { ps -= o.ps; return *this; }
};
constexpr Time operator+(Time a, Time b) { return Time{a.ps + b.ps}; }
constexpr Time operator-(Time a, Time b) { return Time{a.ps - b.ps}; }
constexpr Time operator*(Time a, std::int64_t k) { return Time{a.ps * k}; }

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
