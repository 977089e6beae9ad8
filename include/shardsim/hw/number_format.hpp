#pragma once
// How values are stored: IEEE floats (fp32, fp16) and bfloat16, one value at a time, and llama.cpp's
// block-quantized q8_0 and q4_0, where every block of 32 consecutive values of a row shares one fp16 scale, and
// its K-quants q4_K, q5_K, q6_K, super-blocks of 256 values with 6- or 8-bit sub-block scales (4.5, 5.5 and
// 6.5625 bits per weight). Sizes are in bytes; a partial block at the end of a row occupies a whole block.
//
// llama.cpp's file types Q4_K_M, Q4_K_S, Q5_K_M, Q5_K_S are mixtures (llama_model_quantize keeps some tensors,
// e.g. attn_v and ffn_down of half the layers for _M, at q6_K); here they are read as q4_K and q5_K for every
// tensor, an approximation that undercounts their weights by a few percent (documented in README).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

enum class NumberFormat { fp32, fp16, bf16, q8_0, q4_0, q4_k, q5_k, q6_k };
inline constexpr std::size_t kNumberFormatCount = 8;

// Every format, in the order above (for listings and error messages).
std::span<const NumberFormat> number_formats();

std::string_view to_string(NumberFormat format);
// "fp32", "fp16", "bf16", "q8_0", "q4_0", "q4_k", "q5_k", "q6_k" in any case ("Q4_0", "q6_K"), and llama.cpp's
// mixtures "q4_k_m", "q4_k_s" (as q4_k) and "q5_k_m", "q5_k_s" (as q5_k); nullopt for anything else.
std::optional<NumberFormat> parse_number_format(std::string_view name);

// The format whose kernel rate stands in for `format`'s when a node type gives none for it: q4_k for q4_0, q5_k
// and q6_k for q8_0 (llama.cpp's ARM dot products of these pairs unpack to the same int8 products); none else.
std::optional<NumberFormat> kernel_rate_fallback(NumberFormat format);

// Values per block (1 for the float formats, 32 for q8_0 and q4_0, 256 for the K-quants) and the bytes one
// block occupies.
std::int64_t block_values(NumberFormat format);
std::int64_t block_bytes(NumberFormat format);

// Bytes of `values` consecutive values (one row): ceil(values / block_values) * block_bytes. values >= 0.
Bytes bytes_for(NumberFormat format, std::int64_t values);
// Bytes of `rows` rows of `row_length` values each, every row quantized on its own (as llama.cpp stores a
// matrix): rows * bytes_for(format, row_length).
Bytes bytes_for_rows(NumberFormat format, std::int64_t rows, std::int64_t row_length);
// block_bytes / block_values, for reports: 4, 2, 2, 1.0625, 0.5625, 0.5625, 0.6875, 0.8203125.
double bytes_per_value(NumberFormat format);


}  // namespace shardsim::hw
