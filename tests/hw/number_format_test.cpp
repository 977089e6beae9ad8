#include <catch2/catch.hpp>

#include "printing.hpp"

#include "shardsim/util/error.hpp"
#include "shardsim/hw/number_format.hpp"

using namespace shardsim;
using namespace shardsim::hw;

TEST_CASE("number format: names round-trip and nothing else parses") {
  REQUIRE(number_formats().size() == 5);
  for (NumberFormat f : number_formats()) {
    const std::optional<NumberFormat> back = parse_number_format(to_string(f));
    REQUIRE(back.has_value());
    CHECK(*back == f);
  }
  CHECK(to_string(NumberFormat::q4_0) == "q4_0");
  CHECK(to_string(NumberFormat::bf16) == "bf16");
  CHECK_FALSE(parse_number_format("FP16").has_value());  // case matters, as for every key value
  CHECK_FALSE(parse_number_format("q4").has_value());
  CHECK_FALSE(parse_number_format("").has_value());
}

TEST_CASE("number format: float formats take 4 or 2 bytes per value") {
  CHECK(bytes_for(NumberFormat::fp32, 10) == Bytes{40});
  CHECK(bytes_for(NumberFormat::fp16, 10) == Bytes{20});
  CHECK(bytes_for(NumberFormat::bf16, 10) == Bytes{20});
  CHECK(bytes_for(NumberFormat::fp16, 0) == Bytes{0});
  CHECK(block_values(NumberFormat::fp32) == 1);
}

TEST_CASE("number format: q8_0 is 34 bytes per block of 32 values, partial blocks rounded up") {
  // A block is an fp16 scale (2 B) and 32 int8 values (32 B): 34 B.
  CHECK(block_values(NumberFormat::q8_0) == 32);
  CHECK(block_bytes(NumberFormat::q8_0) == 34);
  CHECK(bytes_for(NumberFormat::q8_0, 32) == Bytes{34});
  CHECK(bytes_for(NumberFormat::q8_0, 1) == Bytes{34});   // one partial block
  CHECK(bytes_for(NumberFormat::q8_0, 33) == Bytes{68});  // a full block and a partial one
  CHECK(bytes_for(NumberFormat::q8_0, 0) == Bytes{0});
  // A 4096-wide row: 4096 / 32 = 128 blocks * 34 B = 4352 B.
  CHECK(bytes_for(NumberFormat::q8_0, 4096) == Bytes{4352});
}

TEST_CASE("number format: q4_0 is 18 bytes per block of 32 values, partial blocks rounded up") {
  // A block is an fp16 scale (2 B) and 32 4-bit values (16 B): 18 B.
  CHECK(block_bytes(NumberFormat::q4_0) == 18);
  CHECK(bytes_for(NumberFormat::q4_0, 32) == Bytes{18});
  CHECK(bytes_for(NumberFormat::q4_0, 31) == Bytes{18});
  CHECK(bytes_for(NumberFormat::q4_0, 65) == Bytes{54});  // 3 blocks
  // 4096 values: 128 blocks * 18 B = 2304 B.
  CHECK(bytes_for(NumberFormat::q4_0, 4096) == Bytes{2304});
}

TEST_CASE("number format: a matrix is quantized row by row") {
  // 3 rows of 40 values in q4_0: each row is 2 blocks (32 + 8 values) = 36 B, so 108 B; the same 120 values
  // as one row would be 4 blocks = 72 B.
  CHECK(bytes_for_rows(NumberFormat::q4_0, 3, 40) == Bytes{108});
  CHECK(bytes_for(NumberFormat::q4_0, 120) == Bytes{72});
  // Float formats do not round: 3 rows of 40 fp32 = 480 B.
  CHECK(bytes_for_rows(NumberFormat::fp32, 3, 40) == Bytes{480});
  CHECK(bytes_for_rows(NumberFormat::q8_0, 0, 40) == Bytes{0});
}

TEST_CASE("number format: bytes per value for reports") {
  CHECK(bytes_per_value(NumberFormat::fp32) == 4.0);
  CHECK(bytes_per_value(NumberFormat::fp16) == 2.0);
  CHECK(bytes_per_value(NumberFormat::bf16) == 2.0);
  CHECK(bytes_per_value(NumberFormat::q8_0) == 34.0 / 32.0);  // 1.0625, exact in binary
  CHECK(bytes_per_value(NumberFormat::q4_0) == 18.0 / 32.0);  // 0.5625 (4.5 bits)
}


TEST_CASE("number format: negative counts are a broken invariant") {
  CHECK_THROWS_AS(bytes_for(NumberFormat::fp16, -1), InternalError);
  CHECK_THROWS_AS(bytes_for_rows(NumberFormat::fp16, -1, 4), InternalError);
  // Rows whose total overflows 64 bits: 2^62 rows of 4 fp16 values = 2^65 B.
  CHECK_THROWS_AS(bytes_for_rows(NumberFormat::fp16, std::int64_t{1} << 62, 4), InternalError);
}
