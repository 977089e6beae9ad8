#include <catch2/catch.hpp>

#include "printing.hpp"

#include "shardsim/util/error.hpp"
#include "shardsim/hw/number_format.hpp"

using namespace shardsim;
using namespace shardsim::hw;

TEST_CASE("number format: names round-trip and nothing else parses") {
  REQUIRE(number_formats().size() == 8);
  for (NumberFormat f : number_formats()) {
    const std::optional<NumberFormat> back = parse_number_format(to_string(f));
    REQUIRE(back.has_value());
    CHECK(*back == f);
  }
  CHECK(to_string(NumberFormat::q4_0) == "q4_0");
  CHECK(to_string(NumberFormat::bf16) == "bf16");
  CHECK(parse_number_format("FP16") == NumberFormat::fp16);  // llama.cpp and Hugging Face write Q4_0, F16, ...
  CHECK(parse_number_format("Q4_0") == NumberFormat::q4_0);
  CHECK(parse_number_format("q6_K") == NumberFormat::q6_k);
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

TEST_CASE("number format: llama.cpp's K-quants, bytes per 256-value super-block from ggml-common.h") {
  // block_q4_K: d, dmin (2 x 2 B) + 12 B of 6-bit scales + 256 4-bit values (128 B) = 144 B = 4.5 bits a weight.
  CHECK(block_values(NumberFormat::q4_k) == 256);
  CHECK(block_bytes(NumberFormat::q4_k) == 144);
  CHECK(bytes_per_value(NumberFormat::q4_k) * 8 == 4.5);
  // block_q5_K: 4 + 12 + 32 B of high bits + 128 B = 176 B = 5.5 bits.
  CHECK(block_bytes(NumberFormat::q5_k) == 176);
  CHECK(bytes_per_value(NumberFormat::q5_k) * 8 == 5.5);
  // block_q6_K: 128 B low 4 bits + 64 B high 2 bits + 16 int8 scales + fp16 d = 210 B = 6.5625 bits.
  CHECK(block_bytes(NumberFormat::q6_k) == 210);
  CHECK(bytes_per_value(NumberFormat::q6_k) * 8 == 6.5625);
  // Llama 2 7B's 4096 x 11008 ffn_down in q4_K: 4096 rows of 11008 = 43 super-blocks: 4096 * 43 * 144 B.
  CHECK(bytes_for_rows(NumberFormat::q4_k, 4096, 11008) == Bytes{4096LL * 43 * 144});
  // A 300-value row takes two super-blocks (the second partial).
  CHECK(bytes_for(NumberFormat::q6_k, 300) == Bytes{420});
  // The mixture file types most Pi users download read as their main K-quant (an approximation, see the header).
  CHECK(parse_number_format("q4_k_m") == NumberFormat::q4_k);
  CHECK(parse_number_format("Q4_K_M") == NumberFormat::q4_k);
  CHECK(parse_number_format("q5_k_m") == NumberFormat::q5_k);
  CHECK(parse_number_format("q6_k") == NumberFormat::q6_k);
  CHECK_FALSE(parse_number_format("q3_k_m").has_value());
  CHECK(to_string(NumberFormat::q5_k) == "q5_k");
}

TEST_CASE("number format: a K-quant without a kernel rate of its own takes its kin's") {
  CHECK(kernel_rate_fallback(NumberFormat::q4_k) == NumberFormat::q4_0);
  CHECK(kernel_rate_fallback(NumberFormat::q6_k) == NumberFormat::q8_0);
  CHECK_FALSE(kernel_rate_fallback(NumberFormat::q4_0).has_value());
}

#include "shardsim/hw/node_spec.hpp"

TEST_CASE("node spec: a K-quant runs at its own kernel rate, else its kin's, else the generic rate") {
  NodeSpec n;
  n.flop_rate = FlopRate{10e9};
  n.kernels.decode[static_cast<std::size_t>(NumberFormat::q4_0)] = FlopRate{72e9};
  CHECK(n.rate(NumberFormat::q4_k, false).per_second == 72e9);  // q4_0's
  CHECK(n.rate(NumberFormat::q6_k, false).per_second == 10e9);  // no q8_0 rate either: flop_rate
  n.kernels.decode[static_cast<std::size_t>(NumberFormat::q4_k)] = FlopRate{60e9};
  CHECK(n.rate(NumberFormat::q4_k, false).per_second == 60e9);  // its own wins
  CHECK(n.rate(NumberFormat::q4_k, true).per_second == 10e9);   // prefill table empty
}
