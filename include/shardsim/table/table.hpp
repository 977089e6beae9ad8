#pragma once
// A table of results, as `shardsim sweep` writes one (a row per point): a header of column names and rows of cells,
// each cell its text and whether JSON writes it as a number, a boolean or a string. Written as CSV or JSON lines
// with exact text (no number is reformatted here), so that one table is always the same bytes: whatever the
// number of threads that filled it, and whether it was written in one piece or in slices joined by merge_tables().

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace shardsim::table {

// A cell: its text (strings unquoted) and how JSON writes it: a number or a boolean bare, a string quoted.
struct Cell {
  enum class Kind { number, boolean, string };
  Kind kind = Kind::string;
  std::string text;
};

// A cell whose kind is read from its text: "true" and "false" are booleans, a JSON number is a number, anything
// else ("1 Gbit/s", "nan", "") a string.
Cell infer_cell(std::string text);

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;  // each as long as the header
};

enum class TableFormat { csv, jsonl };
// The names --format takes, in this order: "csv", "jsonl" (JSON lines).
std::vector<std::string> table_format_names();
// The format named `name`; none for any other text.
std::optional<TableFormat> table_format_named(std::string_view name);

// CSV: a header line, then one line per row, fields quoted (RFC 4180) only where needed, "\n" line ends.
// JSON lines: one object per row, keys in header order, numbers and booleans bare, no spaces.
void write_table(std::ostream& out, const Table& table, TableFormat format);

}  // namespace shardsim::table
