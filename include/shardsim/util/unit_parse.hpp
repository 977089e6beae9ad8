#pragma once
// Parsing of quantities written with their units, as users write them in TOML files:
// "50 us", "1.5 ms", "4 GiB", "125 MB/s", "1 Gbit/s", "12 GFLOP/s". Decimal prefixes (k, M, G, T, P)
// are powers of 1000 and binary prefixes (Ki, Mi, Gi, Ti, Pi) powers of 1024. "b"/"bit" is a bit and
// "B" a byte. A bare number or an unknown unit is an error: units never live only in comments.
// Case: prefixes and unit words are read in any case ("1 gbit/s", "1 Gbit/sec", "4 gib", "50 US", "12 gflop/s");
// the one letter whose case carries meaning stays case-sensitive: B is a byte and b a bit ("Gb" is gigabits,
// "GB" gigabytes, "Bps" bytes and "bps" bits per second).

#include <stdexcept>
#include <string>
#include <string_view>

#include "shardsim/util/units.hpp"

namespace shardsim {

// Raised by the parsers below; callers that know the source position turn it into an InputError.
class UnitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Time parse_time(std::string_view text);           // s, ms, us (or µs), ns, ps
Bytes parse_bytes(std::string_view text);          // B, kB, MB, GiB, bit, Gbit, ...; must be whole bytes
ByteRate parse_byte_rate(std::string_view text);   // B/s, MB/s, GiB/s, bit/s, Gbit/s, Gb/s, Gbps
FlopRate parse_flop_rate(std::string_view text);   // FLOP/s, GFLOP/s, TFLOPS

// Human-readable forms used by reports; deterministic (fixed formats, no locale).
std::string format_time(Time t);          // "12.345 ms": three decimals, in s, ms, us or ns
std::string format_bytes(Bytes b);        // "4.317 MB" (decimal prefixes, as the seed notebook prints); "999 B"
std::string format_byte_rate(ByteRate r);  // "125.000 MB/s"

}  // namespace shardsim
