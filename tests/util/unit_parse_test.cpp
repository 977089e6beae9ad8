// parse_time / parse_bytes / parse_byte_rate / parse_flop_rate: quantities written with their units, as users
// write them in TOML files, and the fixed-format printers used by reports. Every expected value is worked out by
// hand next to its assertion from the unit's definition (decimal prefixes are powers of 1000, binary prefixes
// powers of 1024, a bit is 1/8 byte, 1 s = 10^12 ps).

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "shardsim/util/unit_parse.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using shardsim::Bytes;
using shardsim::ByteRate;
using shardsim::FlopRate;
using shardsim::Time;
using shardsim::UnitError;
using shardsim::format_byte_rate;
using shardsim::format_bytes;
using shardsim::format_time;
using shardsim::parse_byte_rate;
using shardsim::parse_bytes;
using shardsim::parse_flop_rate;
using shardsim::parse_time;

namespace {

// The message of the UnitError `parse(text)` throws; fails the test when it throws nothing.
template <class Parse>
std::string unit_error(Parse parse, std::string_view text) {
  try {
    parse(text);
  } catch (const UnitError& e) {
    return e.what();
  }
  FAIL("expected a UnitError for \"" << std::string(text) << "\"");
  return {};
}

}  // namespace

// ---- parse_time ---------------------------------------------------------------------------------------------

TEST_CASE("parse_time converts every time unit to picoseconds") {
  CHECK(parse_time("50 us").ps == 50'000'000);          // 50 * 10^6 ps
  CHECK(parse_time("1.5 ms").ps == 1'500'000'000);      // 1.5 * 10^9 ps
  CHECK(parse_time("0 s").ps == 0);                     // zero is a valid duration
  CHECK(parse_time("2 ns").ps == 2'000);                // 2 * 10^3 ps
  CHECK(parse_time("7 ps").ps == 7);                    // ps is the base unit
  CHECK(parse_time("2 s").ps == 2'000'000'000'000);     // 2 * 10^12 ps
  CHECK(parse_time("1 min").ps == 60'000'000'000'000);  // 60 s * 10^12 ps/s
  CHECK(parse_time("0.5 us").ps == 500'000);            // 0.5 * 10^6 ps
}

TEST_CASE("parse_time accepts the micro sign as well as us") {
  // "\xC2\xB5" is U+00B5 MICRO SIGN in UTF-8, what a user types as "µs": the same 50 * 10^6 ps as "50 us".
  CHECK(parse_time("50 \xC2\xB5s").ps == 50'000'000);
  CHECK(parse_time("0.5 \xC2\xB5s").ps == 500'000);  // 0.5 * 10^6 ps
}

TEST_CASE("parse_time tolerates spacing and exponent notation") {
  CHECK(parse_time("50us").ps == 50'000'000);         // no space between number and unit: still 50 * 10^6 ps
  CHECK(parse_time("  2 ns \t").ps == 2'000);         // surrounding blanks are trimmed: 2 * 10^3 ps
  CHECK(parse_time("1e-6 s").ps == 1'000'000);        // 10^-6 s * 10^12 ps/s = 10^6 ps
  CHECK(parse_time("2.5e3 ns").ps == 2'500'000);      // 2500 ns * 10^3 ps/ns
}

TEST_CASE("parse_time rounds to the nearest picosecond") {
  CHECK(parse_time("0.4 ps").ps == 0);        // 0.4 rounds down
  CHECK(parse_time("0.6 ps").ps == 1);        // 0.6 rounds up
  CHECK(parse_time("1.0004 ns").ps == 1000);  // 1000.4 ps -> 1000
  CHECK(parse_time("1.0006 ns").ps == 1001);  // 1000.6 ps -> 1001
}

TEST_CASE("parse_time rejects a number without a unit") {
  // Units never live only in comments: a bare number is an error that says what unit was expected.
  const std::string m = unit_error(parse_time, "50");
  CHECK_THAT(m, Contains("missing unit"));
  CHECK_THAT(m, Contains("\"50\""));
  CHECK_THAT(m, Contains("time"));
}

TEST_CASE("parse_time rejects a unit without a number, and garbage") {
  CHECK_THAT(unit_error(parse_time, "\xC2\xB5s"), Contains("expected a number"));  // "µs" alone
  CHECK_THAT(unit_error(parse_time, "us"), Contains("expected a number"));
  CHECK_THAT(unit_error(parse_time, ""), Contains("expected a number"));
  CHECK_THAT(unit_error(parse_time, "fast"), Contains("\"fast\""));
  CHECK_THAT(unit_error(parse_time, "nan s"), Contains("expected a number"));  // not a finite number
  CHECK_THAT(unit_error(parse_time, "inf s"), Contains("expected a number"));
}

TEST_CASE("parse_time rejects unknown units and units of another quantity") {
  CHECK_THAT(unit_error(parse_time, "5 GB"), Contains("unknown unit \"GB\""));  // a size is not a time
  CHECK_THAT(unit_error(parse_time, "5 sec"), Contains("unknown unit \"sec\""));
  CHECK_THAT(unit_error(parse_time, "5 mss"), Contains("unknown unit \"mss\""));
  CHECK_THAT(unit_error(parse_time, "1.5.2 ms"), Contains("unknown unit \".2 ms\""));  // the number ends at "1.5"
}

TEST_CASE("parse_time rejects a negative duration") {
  CHECK_THAT(unit_error(parse_time, "-5 ms"), Contains("negative quantity \"-5 ms\""));
}

// A duration beyond 2^63 - 1 ps (~ 9.22e6 s, 107 days) does not fit the int64 picosecond count.
TEST_CASE("parse_time rejects a duration too long for 64-bit picoseconds") {
  CHECK_THAT(unit_error(parse_time, "1e7 s"), Contains("\"1e7 s\""));        // 10^19 ps > 9.22e18
  CHECK_THAT(unit_error(parse_time, "1e300 s"), Contains("\"1e300 s\""));
  CHECK(parse_time("100 min").ps == 6'000'000'000'000'000);  // 6000 s * 10^12: in range, still parses
}

// ---- parse_bytes --------------------------------------------------------------------------------------------

TEST_CASE("parse_bytes reads decimal prefixes as powers of 1000") {
  CHECK(parse_bytes("4 GB").count == 4'000'000'000);              // 4 * 10^9
  CHECK(parse_bytes("1448 B").count == 1448);                     // plain bytes
  CHECK(parse_bytes("3 kB").count == 3'000);                      // 3 * 10^3
  CHECK(parse_bytes("3 KB").count == 3'000);                      // K is accepted as k: still decimal
  CHECK(parse_bytes("2 MB").count == 2'000'000);                  // 2 * 10^6
  CHECK(parse_bytes("1 TB").count == 1'000'000'000'000);          // 10^12
  CHECK(parse_bytes("1 PB").count == 1'000'000'000'000'000);      // 10^15
  CHECK(parse_bytes("0 B").count == 0);
  CHECK(parse_bytes("0.3 kB").count == 300);  // 0.3 * 1000 = 300 (whole, despite 0.3 not being exact in binary)
}

TEST_CASE("parse_bytes reads binary prefixes as powers of 1024") {
  CHECK(parse_bytes("4 GiB").count == 4'294'967'296);            // 4 * 2^30
  CHECK(parse_bytes("1.5 KiB").count == 1536);                   // 1.5 * 1024
  CHECK(parse_bytes("1 MiB").count == 1'048'576);                // 2^20
  CHECK(parse_bytes("2 TiB").count == 2'199'023'255'552);        // 2 * 2^40
  CHECK(parse_bytes("1 PiB").count == 1'125'899'906'842'624);    // 2^50
}

TEST_CASE("parse_bytes reads bits as eighths of a byte") {
  CHECK(parse_bytes("8 bit").count == 1);                // 8 bits = 1 byte
  CHECK(parse_bytes("8 b").count == 1);                  // lower-case b is a bit too
  CHECK(parse_bytes("1 kbit").count == 125);             // 1000 / 8
  CHECK(parse_bytes("1 Gbit").count == 125'000'000);     // 10^9 / 8
  CHECK(parse_bytes("1 Kibit").count == 128);            // 1024 / 8
}

TEST_CASE("parse_bytes rejects fractional bytes") {
  CHECK_THAT(unit_error(parse_bytes, "1.5 B"), Contains("not a whole number of bytes"));
  CHECK_THAT(unit_error(parse_bytes, "4 bit"), Contains("not a whole number of bytes"));      // 0.5 byte
  CHECK_THAT(unit_error(parse_bytes, "12 bit"), Contains("not a whole number of bytes"));     // 1.5 bytes
  CHECK_THAT(unit_error(parse_bytes, "1.0005 kB"), Contains("not a whole number of bytes"));  // 1000.5 bytes
}

TEST_CASE("parse_bytes rejects bad input") {
  CHECK_THAT(unit_error(parse_bytes, "4096"), Contains("missing unit"));
  CHECK_THAT(unit_error(parse_bytes, "-1 GB"), Contains("negative quantity"));
  CHECK_THAT(unit_error(parse_bytes, "4 GB/s"), Contains("unknown unit \"GB/s\""));  // a rate is not a size
  CHECK_THAT(unit_error(parse_bytes, "50 us"), Contains("unknown unit \"us\""));     // a time is not a size
  CHECK_THAT(unit_error(parse_bytes, "1 EB"), Contains("unknown unit \"EB\""));      // no exa prefix
  CHECK_THAT(unit_error(parse_bytes, "lots"), Contains("expected a number"));
  CHECK_THAT(unit_error(parse_bytes, "1e19 B"), Contains("too large"));  // 10^19 > 2^63 - 1 ~ 9.22e18
}

// ---- parse_byte_rate ----------------------------------------------------------------------------------------

TEST_CASE("parse_byte_rate reads byte and bit rates") {
  CHECK(parse_byte_rate("1 Gbit/s").per_second == 125e6);      // 10^9 bit/s / 8
  CHECK(parse_byte_rate("1 Gb/s").per_second == 125e6);        // same, short form
  CHECK(parse_byte_rate("125 MB/s").per_second == 125e6);      // 125 * 10^6
  CHECK(parse_byte_rate("10 Gbps").per_second == 1.25e9);      // 10 * 10^9 / 8
  CHECK(parse_byte_rate("1 GiB/s").per_second == 1073741824);  // 2^30
  CHECK(parse_byte_rate("100 Mbit/s").per_second == 12.5e6);   // 10^8 / 8
  CHECK(parse_byte_rate("8 bit/s").per_second == 1);           // 8 / 8
  CHECK(parse_byte_rate("46 MB/s").per_second == 46e6);        // 46 * 10^6
  CHECK(parse_byte_rate("3.3 GB/s").per_second == Approx(3.3e9).epsilon(1e-15));  // 3.3 * 10^9
}

TEST_CASE("parse_byte_rate parses zero, leaving positivity to the caller") {
  // The scenario reader rejects "0 Gbit/s" as not positive (tested in scenario_test); the parser itself only
  // reads the number: 0 * 10^9 / 8 = 0.
  CHECK(parse_byte_rate("0 Gbit/s").per_second == 0);
}

TEST_CASE("parse_byte_rate rejects bad input") {
  CHECK_THAT(unit_error(parse_byte_rate, "1000"), Contains("missing unit"));
  CHECK_THAT(unit_error(parse_byte_rate, "1 Gbit"), Contains("unknown unit \"Gbit\""));  // a size, not a rate
  CHECK_THAT(unit_error(parse_byte_rate, "1 GB/min"), Contains("unknown unit \"GB/min\""));
  CHECK_THAT(unit_error(parse_byte_rate, "12 GFLOP/s"), Contains("unknown unit \"GFLOP/s\""));
  CHECK_THAT(unit_error(parse_byte_rate, "-1 MB/s"), Contains("negative quantity"));
  CHECK_THAT(unit_error(parse_byte_rate, "quick"), Contains("expected a number"));
}

// ---- parse_flop_rate ----------------------------------------------------------------------------------------

TEST_CASE("parse_flop_rate reads FLOP/s and FLOPS with prefixes") {
  CHECK(parse_flop_rate("12 GFLOP/s").per_second == 12e9);     // 12 * 10^9
  CHECK(parse_flop_rate("1.5 TFLOPS").per_second == 1.5e12);   // 1.5 * 10^12
  CHECK(parse_flop_rate("13.5 GFLOP/s").per_second == 13.5e9); // 13.5 * 10^9 (13.5 is exact in binary)
  CHECK(parse_flop_rate("100 flop/s").per_second == 100);      // no prefix
  CHECK(parse_flop_rate("2 MFLOPS").per_second == 2e6);        // 2 * 10^6
}

TEST_CASE("parse_flop_rate rejects bad input") {
  CHECK_THAT(unit_error(parse_flop_rate, "12"), Contains("missing unit"));
  CHECK_THAT(unit_error(parse_flop_rate, "12 GB/s"), Contains("unknown unit \"GB/s\""));
  CHECK_THAT(unit_error(parse_flop_rate, "12 GFLOP"), Contains("unknown unit \"GFLOP\""));  // a count, not a rate
  CHECK_THAT(unit_error(parse_flop_rate, "-1 GFLOP/s"), Contains("negative quantity"));
}

// ---- formatting ---------------------------------------------------------------------------------------------

TEST_CASE("format_time picks s, ms, us or ns with three decimals") {
  CHECK(format_time(Time{12'345'000'000}) == "12.345 ms");     // 0.012345 s
  CHECK(format_time(Time::from_us(50)) == "50.000 us");        // 5 * 10^7 ps = 50 us
  CHECK(format_time(Time{2'500'000'000'000}) == "2.500 s");    // 2.5 * 10^12 ps
  CHECK(format_time(Time{1'500}) == "1.500 ns");               // 1500 ps
  CHECK(format_time(Time{768'000}) == "768.000 ns");           // below 1 us: ns
  CHECK(format_time(Time{1'000'000}) == "1.000 us");           // exactly 1 us switches to us
  CHECK(format_time(Time{0}) == "0.000 ns");
}

// The unit is chosen after rounding to three decimals: 999999999 ps is 0.999999999 ms, printed "1.000 ms",
// not "1000.000 us".
TEST_CASE("formatting never prints 1000 of a unit") {
  CHECK(format_time(Time{999'999'999}) == "1.000 ms");     // 0.999999999 ms rounds to 1.000 ms
  CHECK(format_bytes(Bytes{999'999'999}) == "1.000 GB");   // 0.999999999 GB rounds to 1.000 GB
  CHECK(format_time(Time{999'999}) == "999.999 ns");       // below the rounding edge nothing changes
}

TEST_CASE("format_bytes uses decimal prefixes as the seed notebook prints them") {
  CHECK(format_bytes(Bytes{4'317'000}) == "4.317 MB");           // 4317000 / 10^6
  CHECK(format_bytes(Bytes{129'024}) == "129.024 kB");           // the seed layer's payload, / 10^3
  CHECK(format_bytes(Bytes{999}) == "999 B");                    // under 1 kB: exact bytes
  CHECK(format_bytes(Bytes{1'000}) == "1.000 kB");               // exactly 1 kB
  CHECK(format_bytes(Bytes{0}) == "0 B");
  CHECK(format_bytes(Bytes{4'294'967'296}) == "4.295 GB");       // 4 GiB = 4.294967296 * 10^9
  CHECK(format_bytes(Bytes{1'500'000'000'000}) == "1.500 TB");   // 1.5 * 10^12
}

TEST_CASE("format_byte_rate uses decimal prefixes per second") {
  CHECK(format_byte_rate(ByteRate{125e6}) == "125.000 MB/s");  // 1 Gbit/s = 125 * 10^6 B/s
  CHECK(format_byte_rate(ByteRate{1.25e9}) == "1.250 GB/s");   // 10 Gbit/s
  CHECK(format_byte_rate(ByteRate{46e3}) == "46.000 kB/s");
  CHECK(format_byte_rate(ByteRate{500}) == "500.000 B/s");
}

TEST_CASE("formatted quantities parse back to the same value") {
  // format_time prints three decimals of its unit, so a value that is a whole number of thousandths of that
  // unit survives the round trip exactly: 12.345 ms = 12345 * 10^6 ps.
  CHECK(parse_time(format_time(Time{12'345'000'000})).ps == 12'345'000'000);
  CHECK(parse_bytes(format_bytes(Bytes{129'024})).count == 129'024);  // "129.024 kB" = 129024 B
  CHECK(parse_byte_rate(format_byte_rate(ByteRate{125e6})).per_second == 125e6);
  CHECK_THAT(format_bytes(Bytes{4'000'000'000}), StartsWith("4.000"));
}

TEST_CASE("units in any case where case carries no meaning; B (byte) and b (bit) stay apart") {
  // The spellings, refused before: 1 Gbit/s = 10^9 / 8 = 125'000'000 bytes per second.
  CHECK(parse_byte_rate("1 gbit/s").per_second == 125e6);
  CHECK(parse_byte_rate("1 Gbit/sec").per_second == 125e6);
  CHECK(parse_byte_rate("1 GBIT/S").per_second == 125e6);
  CHECK(parse_byte_rate("1 gbps").per_second == 125e6);
  CHECK(parse_byte_rate("1 Gbits/s").per_second == 125e6);
  // The byte and bit letters keep their meaning: Gb/s is 1/8 of GB/s, Bps bytes, bps bits.
  CHECK(parse_byte_rate("1 gb/s").per_second == 125e6);
  CHECK(parse_byte_rate("1 gB/s").per_second == 1e9);
  CHECK(parse_byte_rate("8 MBps").per_second == 8e6);
  CHECK(parse_byte_rate("8 Mbps").per_second == 1e6);
  CHECK(parse_byte_rate("1 GiB/sec").per_second == 1073741824.0);
  CHECK(parse_bytes("4 gib").count == 4LL * 1024 * 1024 * 1024);
  CHECK(parse_bytes("4 GIB").count == 4LL * 1024 * 1024 * 1024);
  CHECK(parse_bytes("8 Gb").count == 1'000'000'000);  // 8 gigabits = 10^9 bytes
  CHECK(parse_bytes("8 GB").count == 8'000'000'000);
  CHECK(parse_bytes("16 KBit").count == 2'000);
  CHECK(parse_time("50 US").ps == 50'000'000);
  CHECK(parse_time("1.5 Ms").ps == 1'500'000'000);  // no megasecond exists to be confused with
  CHECK(parse_time("2 MIN").ps == 120'000'000'000'000);
  CHECK(parse_flop_rate("12 gflop/s").per_second == 12e9);
  CHECK(parse_flop_rate("12 GFlops").per_second == 12e9);
}
