#include "shardsim/util/units.hpp"

#include <cmath>

#include "shardsim/util/error.hpp"

namespace shardsim {

Time Time::from_seconds(double s) {
  const double ps = std::round(s * 1e12);
  // 2^63 is exactly representable; every double below it converts without undefined behaviour (NaN fails both).
  if (!(ps < 9223372036854775808.0 && ps >= -9223372036854775808.0)) units_detail::time_out_of_range();
  return Time{static_cast<std::int64_t>(ps)};
}

Time transfer_time(Bytes b, ByteRate r) {
  require(r.per_second > 0, "transfer_time: rate must be positive");
  return Time::from_seconds(static_cast<double>(b.count) / r.per_second);
}

Time compute_time(Flop f, FlopRate r) {
  require(r.per_second > 0, "compute_time: rate must be positive");
  return Time::from_seconds(static_cast<double>(f.count) / r.per_second);
}

}  // namespace shardsim
