#pragma once
// A table read back from a file that shardsim wrote (CSV or JSON lines, told apart by the first character), for
// `shardsim merge` and `shardsim plot`. Each record keeps its text as written, so that merging reproduces it byte
// for byte; its cells are unquoted for reading. Errors are InputErrors at file:line:column.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shardsim/table/table.hpp"

namespace shardsim::table {

struct TableFile {
  struct Record {
    std::vector<std::string> cells;  // unquoted; JSON numbers, booleans and null as written
    std::string raw;                 // the record as written, without its line end
    int line = 0;                    // 1-based line where it starts
  };
  std::optional<TableFormat> format;  // none for an empty file
  std::vector<std::string> header;    // CSV: the first record; JSON lines: the keys of the first object
  std::string header_raw;             // CSV only
  std::vector<Record> records;
};

// Parses `text`, read from `file`. CSV records must have the header's number of fields (RFC 4180 quoting, a field
// may span lines); every JSON line must be a flat object with the first line's keys in the same order. Blank
// lines are skipped.
TableFile parse_table(std::string_view text, const std::string& file);
// Reads and parses the file at `path`; InputError when it cannot be read.
TableFile read_table_file(const std::string& path);

}  // namespace shardsim::table
