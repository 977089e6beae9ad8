#pragma once
// Standard normal deviates that are the same on every machine and standard library: std::mt19937_64 (fully
// specified by the standard) and Box-Muller, used by the numerical checks of the plans (seed_check.cpp,
// tensor_check.cpp) to draw their random weights. Internal to the plan module.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace shardsim::verify {

// Standard normal deviates from std::mt19937_64 via Box-Muller. std::normal_distribution is not used because
// its algorithm is implementation-defined (libstdc++ and libc++ give different numbers for the same seed).
// Each pair of engine outputs gives two deviates: r*cos(theta) first, then r*sin(theta).
class NormalStream {
 public:
  explicit NormalStream(std::uint64_t seed) : engine_(seed) {}

  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    // 53 random bits each: u1 in (0, 1] so that log(u1) is finite, u2 in [0, 1).
    const double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(theta);
    has_spare_ = true;
    return radius * std::cos(theta);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace shardsim::verify
