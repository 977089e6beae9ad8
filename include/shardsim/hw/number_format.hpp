#pragma once
// How values are stored: IEEE floats (fp32, fp16) and bfloat16, one value at a time, and llama.cpp's
// block-quantized q8_0 and q4_0, where every block of 32 consecutive values of a row shares one fp16 scale.
// Sizes are in bytes; a partial block at the end of a row occupies a whole block.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

enum class NumberFormat { fp32, fp16, bf16, q8_0, q4_0 };
inline constexpr std::size_t kNumberFormatCount = 5;

// Every format, in the order above (for listings and error messages).
std::span<const NumberFormat> number_formats();

std::string_view to_string(NumberFormat format);
// "fp32", "fp16", "bf16", "q8_0", "q4_0" (exactly as to_string writes them); nullopt for anything else.
std::optional<NumberFormat> parse_number_format(std::string_view name);

// Values per block (1 for the float formats, 32 for q8_0 and q4_0) and the bytes one block occupies.
std::int64_t block_values(NumberFormat format);
std::int64_t block_bytes(NumberFormat format);

// Bytes of `values` consecutive values (one row): ceil(values / block_values) * block_bytes. values >= 0.
Bytes bytes_for(NumberFormat format, std::int64_t values);
// Bytes of `rows` rows of `row_length` values each, every row quantized on its own (as llama.cpp stores a
// matrix): rows * bytes_for(format, row_length).
Bytes bytes_for_rows(NumberFormat format, std::int64_t rows, std::int64_t row_length);
// block_bytes / block_values, for reports: 4, 2, 2, 1.0625, 0.5625.
double bytes_per_value(NumberFormat format);


}  // namespace shardsim::hw
