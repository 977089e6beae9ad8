#include "shardsim/util/units.hpp"

#include <cmath>

#include "shardsim/util/error.hpp"

namespace shardsim {

Time Time::from_seconds(double s) { return Time{std::llround(s * 1e12)}; }

Time transfer_time(Bytes b, ByteRate r) {
  require(r.per_second > 0, "transfer_time: rate must be positive");
  return Time::from_seconds(static_cast<double>(b.count) / r.per_second);
}

Time compute_time(Flop f, FlopRate r) {
  require(r.per_second > 0, "compute_time: rate must be positive");
  return Time::from_seconds(static_cast<double>(f.count) / r.per_second);
}

}  // namespace shardsim
