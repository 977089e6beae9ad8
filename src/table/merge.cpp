#include "shardsim/table/merge.hpp"

#include <algorithm>
#include <charconv>

#include "shardsim/table/table_file.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::table {
namespace {

// A record of a slice, by its point number.
struct Row {
  std::size_t point;
  const std::string* raw;
  SourcePos pos;
};

// Throws unless slice `t` (read from `path`) belongs to the table of `first`: the same format, the same columns.
// The first slice itself must start with the `point` column.
void check_same_table(const TableFile& t, const std::string& path, const TableFile& first,
                      const std::string& first_path) {
  if (&t == &first) {
    if (t.header.empty() || t.header.front() != "point") {
      throw InputError(SourcePos{path, 1, 1}, "the first column must be 'point' (a table of shardsim sweep)");
    }
  } else if (*t.format != *first.format) {
    throw InputError(SourcePos{path, 0, 0}, "is " + std::string(*t.format == TableFormat::csv ? "CSV" : "JSON lines") +
                                                " but " + first_path + " is not");
  } else if (t.header != first.header && !t.header.empty()) {
    std::size_t c = 0;
    while (c < t.header.size() && c < first.header.size() && t.header[c] == first.header[c]) ++c;
    const auto name = [](const std::vector<std::string>& h, std::size_t i) {
      return i < h.size() ? "'" + h[i] + "'" : std::string("nothing");
    };
    throw InputError(SourcePos{path, t.records.empty() ? 1 : t.records.front().line, 1},
                     "the columns differ from " + first_path + "'s: column " + std::to_string(c + 1) + " is " +
                         name(t.header, c) + " here and " + name(first.header, c) + " there");
  }
}

// Throws for a point given twice or (unless `allow_partial`) missing; `rows` are sorted by point.
void check_points(const std::vector<Row>& rows, bool allow_partial) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0 && rows[i].point == rows[i - 1].point) {
      throw InputError(rows[i].pos, "point " + std::to_string(rows[i].point) + " is also at " +
                                        to_string(rows[i - 1].pos) + " (a slice given twice?)");
    }
    const std::size_t expected = i == 0 ? 0 : rows[i - 1].point + 1;
    if (!allow_partial && rows[i].point != expected) {
      const std::string missing = rows[i].point == expected + 1
                                      ? "point " + std::to_string(expected) + " is"
                                      : "points " + std::to_string(expected) + " to " +
                                            std::to_string(rows[i].point - 1) + " are";
      throw InputError(rows[i].pos, missing + " missing before this row (a slice not given, or not finished?); "
                                              "--allow-partial merges what is there");
    }
  }
}

}  // namespace

void merge_tables(std::ostream& out, const std::vector<std::string>& paths, bool allow_partial) {
  std::vector<TableFile> files;
  files.reserve(paths.size());  // `first` and the rows point into the files
  const TableFile* first = nullptr;
  std::string first_path;
  std::vector<Row> rows;
  for (const std::string& path : paths) {
    files.push_back(read_table_file(path));
    const TableFile& t = files.back();
    if (!t.format) continue;  // an empty slice: JSON lines of a shard without points
    if (first == nullptr) {
      first = &t;
      first_path = path;
    }
    check_same_table(t, path, *first, first_path);
    for (const TableFile::Record& r : t.records) {
      const std::string& cell = r.cells.front();
      std::size_t point = 0;
      const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), point);
      if (ec != std::errc() || end != cell.data() + cell.size() || cell.empty()) {
        throw InputError(SourcePos{path, r.line, 1}, "point '" + cell + "' is not a point number");
      }
      rows.push_back({point, &r.raw, SourcePos{path, r.line, 1}});
    }
  }
  // Only empty slices: there is no table to write (not even a header), which a user must hear about rather than
  // find an empty output (a shard that printed nothing is fine only beside one that printed the table).
  if (first == nullptr) {
    throw InputError(SourcePos{paths.empty() ? std::string("merge") : paths.front(), 0, 0},
                     paths.size() == 1 ? "is empty: no header and no rows to merge"
                                       : "every slice is empty: no header and no rows to merge");
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.point < b.point; });
  check_points(rows, allow_partial);
  std::string text;
  if (*first->format == TableFormat::csv) text += first->header_raw + "\n";
  for (const Row& r : rows) text += *r.raw + "\n";
  out << text;
}

}  // namespace shardsim::table
