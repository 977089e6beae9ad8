#include "shardsim/hw/number_format.hpp"

#include <array>
#include <string>

#include "shardsim/util/error.hpp"

namespace shardsim::hw {
namespace {

constexpr std::array<NumberFormat, kNumberFormatCount> kFormats{
    NumberFormat::fp32, NumberFormat::fp16, NumberFormat::bf16, NumberFormat::q8_0,
    NumberFormat::q4_0, NumberFormat::q4_k, NumberFormat::q5_k, NumberFormat::q6_k};

// llama.cpp's block layouts, ggml/src/ggml-common.h (https://github.com/ggml-org/llama.cpp):
//   #define QK8_0 32; typedef struct { ggml_half d; int8_t qs[QK8_0]; } block_q8_0;      -> 2 + 32 = 34 bytes
//   #define QK4_0 32; typedef struct { ggml_half d; uint8_t qs[QK4_0 / 2]; } block_q4_0; -> 2 + 16 = 18 bytes
// each checked there by static_assert(sizeof(block_q8_0) == sizeof(ggml_half) + QK8_0) and
// static_assert(sizeof(block_q4_0) == sizeof(ggml_half) + QK4_0 / 2).
constexpr std::int64_t kQuantBlock = 32;
// The K-quants, same file: #define QK_K 256, K_SCALE_SIZE 12, and
//   block_q4_K { ggml_half d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K/2]; }         -> 4 + 12 + 128 = 144
//   block_q5_K { ggml_half d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K/8]; qs[QK_K/2] } -> 4+12+32+128 = 176
//   block_q6_K { uint8_t ql[QK_K/2]; uint8_t qh[QK_K/4]; int8_t scales[QK_K/16]; ggml_half d; } -> 128+64+16+2 = 210
// each checked there by a static_assert of its sizeof: 4.5, 5.5 and 6.5625 bits per weight.
constexpr std::int64_t kSuperBlock = 256;
constexpr std::int64_t kScaleBytes = 12;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::span<const NumberFormat> number_formats() { return kFormats; }

std::string_view to_string(NumberFormat format) {
  switch (format) {
    case NumberFormat::fp32: return "fp32";
    case NumberFormat::fp16: return "fp16";
    case NumberFormat::bf16: return "bf16";
    case NumberFormat::q8_0: return "q8_0";
    case NumberFormat::q4_0: return "q4_0";
    case NumberFormat::q4_k: return "q4_k";
    case NumberFormat::q5_k: return "q5_k";
    case NumberFormat::q6_k: return "q6_k";
  }
  return "?";
}

std::optional<NumberFormat> parse_number_format(std::string_view name) {
  std::string folded(name);
  for (char& c : folded) c = lower(c);
  for (NumberFormat f : kFormats) {
    if (to_string(f) == folded) return f;
  }
  // llama.cpp's mixture file types, read as their main K-quant (see the header).
  if (folded == "q4_k_m" || folded == "q4_k_s") return NumberFormat::q4_k;
  if (folded == "q5_k_m" || folded == "q5_k_s") return NumberFormat::q5_k;
  return std::nullopt;
}

std::optional<NumberFormat> kernel_rate_fallback(NumberFormat format) {
  switch (format) {
    case NumberFormat::q4_k: return NumberFormat::q4_0;
    case NumberFormat::q5_k:
    case NumberFormat::q6_k: return NumberFormat::q8_0;
    default: return std::nullopt;
  }
}

std::int64_t block_values(NumberFormat format) {
  switch (format) {
    case NumberFormat::fp32:
    case NumberFormat::fp16:
    case NumberFormat::bf16: return 1;
    case NumberFormat::q8_0:
    case NumberFormat::q4_0: return kQuantBlock;
    case NumberFormat::q4_k:
    case NumberFormat::q5_k:
    case NumberFormat::q6_k: return kSuperBlock;
  }
  throw InternalError("block_values: unknown number format");
}

std::int64_t block_bytes(NumberFormat format) {
  switch (format) {
    case NumberFormat::fp32: return 4;
    case NumberFormat::fp16:
    case NumberFormat::bf16: return 2;
    case NumberFormat::q8_0: return 2 + kQuantBlock;      // fp16 scale + 32 int8
    case NumberFormat::q4_0: return 2 + kQuantBlock / 2;  // fp16 scale + 32 nibbles
    case NumberFormat::q4_k: return 2 * 2 + kScaleBytes + kSuperBlock / 2;                     // 144
    case NumberFormat::q5_k: return 2 * 2 + kScaleBytes + kSuperBlock / 8 + kSuperBlock / 2;  // 176
    case NumberFormat::q6_k: return kSuperBlock / 2 + kSuperBlock / 4 + kSuperBlock / 16 + 2;  // 210
  }
  throw InternalError("block_bytes: unknown number format");
}

Bytes bytes_for(NumberFormat format, std::int64_t values) {
  if (values < 0) throw InternalError("bytes_for: negative value count " + std::to_string(values));
  const std::int64_t per_block = block_values(format);
  const std::int64_t blocks = values / per_block + (values % per_block != 0 ? 1 : 0);
  return Bytes{blocks * block_bytes(format)};
}

Bytes bytes_for_rows(NumberFormat format, std::int64_t rows, std::int64_t row_length) {
  if (rows < 0) throw InternalError("bytes_for_rows: negative row count " + std::to_string(rows));
  std::int64_t total = 0;
  if (__builtin_mul_overflow(bytes_for(format, row_length).count, rows, &total)) {
    throw InternalError("bytes_for_rows: " + std::to_string(rows) + " rows of " + std::to_string(row_length) +
                        " values overflow a 64-bit byte count");
  }
  return Bytes{total};
}

double bytes_per_value(NumberFormat format) {
  return static_cast<double>(block_bytes(format)) / static_cast<double>(block_values(format));
}

}  // namespace shardsim::hw
