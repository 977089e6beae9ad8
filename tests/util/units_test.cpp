// Time (integer picoseconds), Bytes, Flop and the rate conversions transfer_time / compute_time, which round to
// the nearest picosecond; and the InputError format every user-facing error follows ("file:line:column: ...").

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "printing.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/util/units.hpp"

using Catch::Matchers::StartsWith;
using shardsim::Bytes;
using shardsim::ByteRate;
using shardsim::compute_time;
using shardsim::Flop;
using shardsim::FlopRate;
using shardsim::InputError;
using shardsim::InternalError;
using shardsim::SourcePos;
using shardsim::Time;
using shardsim::transfer_time;

TEST_CASE("Time factories count picoseconds") {
  CHECK(Time::from_ps(7).ps == 7);
  CHECK(Time::from_ns(3).ps == 3'000);        // 3 * 10^3
  CHECK(Time::from_us(2).ps == 2'000'000);    // 2 * 10^6
  CHECK(Time::from_seconds(2.0).ps == 2'000'000'000'000);  // 2 * 10^12
  CHECK(Time::from_seconds(0.5).ps == 500'000'000'000);    // 0.5 * 10^12
  CHECK(Time::from_seconds(1e-6).ps == 1'000'000);         // 10^-6 * 10^12
}

TEST_CASE("Time::from_seconds rounds to the nearest picosecond") {
  CHECK(Time::from_seconds(1.4e-12).ps == 1);    // 1.4 ps -> 1
  CHECK(Time::from_seconds(1.6e-12).ps == 2);    // 1.6 ps -> 2
  CHECK(Time::from_seconds(0.3e-12).ps == 0);    // 0.3 ps -> 0
  CHECK(Time::from_seconds(-1.6e-12).ps == -2);  // nearest, not truncation toward zero: -1.6 -> -2
  CHECK(Time::from_seconds(-1.4e-12).ps == -1);  // -1.4 -> -1
}

TEST_CASE("Time::seconds converts back") {
  CHECK(Time{1'500'000'000'000}.seconds() == Approx(1.5).epsilon(1e-15));  // 1.5 * 10^12 ps
  CHECK(Time{768'000}.seconds() == Approx(7.68e-7).epsilon(1e-15));        // 768000 * 10^-12
  CHECK(Time{}.seconds() == 0.0);
}

TEST_CASE("Time arithmetic and ordering") {
  CHECK((Time{5} + Time{7}).ps == 12);
  CHECK((Time{5} - Time{7}).ps == -2);
  CHECK((Time{5} * 3).ps == 15);
  Time t{10};
  t += Time{4};  // 14
  t -= Time{1};  // 13
  CHECK(t.ps == 13);
  CHECK(Time{1} < Time{2});
  CHECK(Time{2} == Time::from_ps(2));
  CHECK_FALSE(Time{3} < Time{3});
}

TEST_CASE("Bytes and Flop arithmetic") {
  CHECK((Bytes{3} + Bytes{4}).count == 7);
  CHECK((Bytes{10} - Bytes{4}).count == 6);
  CHECK((Bytes{6144} * 4).count == 24'576);  // the seed broadcast: 3072 fp16 values to 4 ranks
  Bytes b{1};
  b += Bytes{2};
  CHECK(b.count == 3);
  CHECK((Flop{2} + Flop{3}).count == 5);
  CHECK((Flop{6} * 2).count == 12);
  Flop f{1};
  f += Flop{9};
  CHECK(f.count == 10);
}

TEST_CASE("transfer_time divides bytes by the rate, exactly where it can") {
  // 96 B at 1 Gbit/s = 125e6 B/s: 96 / 125e6 s = 7.68e-7 s = 768000 ps exactly.
  CHECK(transfer_time(Bytes{96}, ByteRate{125e6}) == Time{768'000});
  // One full frame on the wire, 1448 payload + 90 overhead = 1538 B at 125e6 B/s: 1538 * 8 ns = 12304 ns.
  CHECK(transfer_time(Bytes{1538}, ByteRate{125e6}) == Time{12'304'000});
  // 4 GB at 3.3 GB/s: 4e9 / 3.3e9 s = 1.212121... s = 1212121212121.21... ps -> 1212121212121.
  CHECK(transfer_time(Bytes{4'000'000'000}, ByteRate{3.3e9}) == Time{1'212'121'212'121});
  CHECK(transfer_time(Bytes{0}, ByteRate{125e6}) == Time{0});
}

TEST_CASE("transfer_time rounds to the nearest picosecond") {
  // At 3e12 B/s one byte takes 1/3 ps -> 0 and two bytes 2/3 ps -> 1.
  CHECK(transfer_time(Bytes{1}, ByteRate{3e12}) == Time{0});
  CHECK(transfer_time(Bytes{2}, ByteRate{3e12}) == Time{1});
}

TEST_CASE("compute_time divides FLOP by the rate") {
  // 12 GFLOP at 12 GFLOP/s: 1 s = 10^12 ps.
  CHECK(compute_time(Flop{12'000'000'000}, FlopRate{12e9}) == Time{1'000'000'000'000});
  // The seed layer's expand matmul for batch 6: 2 * 6 * 512 * 2048 = 12582912 FLOP at 11.8 GFLOP/s:
  // 12582912 / 11.8e9 s = 1066348.4745... ns = 1066348474.576... ps -> 1066348475.
  CHECK(compute_time(Flop{12'582'912}, FlopRate{11.8e9}) == Time{1'066'348'475});
  // 2 FLOP at 3e12 FLOP/s: 2/3 ps -> 1.
  CHECK(compute_time(Flop{2}, FlopRate{3e12}) == Time{1});
}

TEST_CASE("a rate that is not positive is a broken invariant") {
  // User input cannot get here (the scenario reader rejects it), so it is an InternalError.
  CHECK_THROWS_AS(transfer_time(Bytes{1}, ByteRate{0}), InternalError);
  CHECK_THROWS_AS(transfer_time(Bytes{1}, ByteRate{-1}), InternalError);
  CHECK_THROWS_AS(compute_time(Flop{1}, FlopRate{0}), InternalError);
}

TEST_CASE("InputError prefixes its message with file:line:column") {
  const InputError e(SourcePos{"a.toml", 3, 7}, "bad");
  CHECK(std::string(e.what()) == "a.toml:3:7: bad");
  CHECK(e.message() == "bad");
  CHECK(e.pos().file == "a.toml");
  CHECK(e.pos().line == 3);
  CHECK(e.pos().column == 7);
  // Without a line only the file is printed.
  const InputError f(SourcePos{"<command line>", 0, 0}, "worse");
  CHECK(std::string(f.what()) == "<command line>: worse");
  CHECK(shardsim::to_string(SourcePos{"b.toml", 12, 1}) == "b.toml:12:1");
}

TEST_CASE("InternalError says it is internal") {
  CHECK_THROWS_AS(shardsim::require(false, "x must hold"), InternalError);
  CHECK_NOTHROW(shardsim::require(true, "x must hold"));
  try {
    shardsim::require(false, "x must hold");
  } catch (const InternalError& e) {
    CHECK_THAT(std::string(e.what()), StartsWith("internal error: x must hold"));
  }
}

TEST_CASE("Time arithmetic outside int64 picoseconds throws instead of wrapping") {
  // The range is 2^63 - 1 ps = 9,223,372.036854775807 s (about 106.75 days).
  const Time max = Time::max();
  CHECK(max.ps == 9'223'372'036'854'775'807);
  CHECK((max - Time::from_ps(1)) + Time::from_ps(1) == max);  // the very edge is still exact
  CHECK_THROWS_AS(max + Time::from_ps(1), InternalError);
  CHECK_THROWS_AS(Time::from_ps(-2) - max, InternalError);
  CHECK_THROWS_AS(Time::from_seconds(5e6) * 2, InternalError);
  Time t = max;
  CHECK_THROWS_AS(t += Time::from_ps(1), InternalError);
  CHECK_THROWS_WITH(max + max, Catch::Matchers::Contains("simulated time exceeds Time's range"));
}

TEST_CASE("Time::from_seconds refuses what int64 picoseconds cannot hold") {
  CHECK(Time::from_seconds(9.2e6).ps == 9'200'000'000'000'000'000);
  CHECK_THROWS_AS(Time::from_seconds(9.3e6), InternalError);
  CHECK_THROWS_AS(Time::from_seconds(-9.3e6), InternalError);
  CHECK_THROWS_AS(Time::from_seconds(std::numeric_limits<double>::quiet_NaN()), InternalError);
  // transfer_time of 1 GB at 1 B/s is 1e9 s: beyond the range, so an error rather than undefined behaviour.
  CHECK_THROWS_AS(transfer_time(Bytes{1'000'000'000}, ByteRate{1.0}), InternalError);
}
