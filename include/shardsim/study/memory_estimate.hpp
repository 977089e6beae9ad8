#pragma once
// Upper bounds of the memory a command will take, computed before it runs, so that a run too large for the machine
// is refused with the estimate instead of growing until the system kills it.
// A sweep keeps its whole table until it is written (rows come back out of order from the worker threads): per row
// a vector of table::Cell, one per column, and each cell's text. Bytes are counted as glibc's allocator spends them
// (a block of n bytes takes max(32, n + 8 rounded up to 16)), for the longest text a column can hold.

#include <cstddef>
#include <cstdint>

#include "shardsim/study/sweep.hpp"

namespace shardsim::study {

// The longest text of a metric cell: "%.17g" of a double, e.g. "-2.2250738585072014e-308" (24 characters).
inline constexpr std::size_t kLongestFigureText = 24;

// Bytes of one heap block holding `request` bytes (glibc malloc: an 8-byte header, 16-byte alignment, 32 at least).
std::size_t heap_block(std::size_t request);

// An upper bound of the bytes the table of `points` points of `spec` holds: the row vectors, their cells, and the
// cell texts (a text longer than std::string's inline buffer takes a heap block of its length + 1).
std::uint64_t sweep_table_bytes(const SweepSpec& spec, std::size_t points);

}  // namespace shardsim::study
