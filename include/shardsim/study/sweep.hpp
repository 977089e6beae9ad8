#pragma once
// Parameter sweeps (`shardsim sweep`): the cross product of axes over one scenario, every point loaded with its
// axis values as overrides and run through the whole pipeline on a pool of threads, and the table that comes out:
// one row per point (`point`, one column per axis, every figure of metric_catalog() in catalog order), as CSV or
// JSON lines. Rows are written in point order with exact number formats, so a table is byte-identical whatever the
// number of threads and whether it was run in one piece or in shards joined by merge_tables().

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "shardsim/scenario/sweep_axis.hpp"

namespace shardsim::study {

struct SweepSpec {
  std::string scenario_path;
  std::vector<std::string> sets;          // --set overrides, applied to every point before its axis values
  std::vector<scenario::SweepAxis> axes;  // the scenario's [sweep] axes, then the --sweep ones
};

// Reads the scenario's [sweep] table (loading the scenario with `sets` and the first value of each command-line
// axis, so the file must be valid with those) and appends the `sweep_args` axes ("key=v1,v2,...", "key=a..b*k")
// in order. A command-line axis with the key of a [sweep] axis replaces that axis in place. Throws InputError for
// a malformed axis, a key swept twice on the command line, or a --set of a swept key.
SweepSpec make_sweep(const std::string& scenario_path, const std::vector<std::string>& sets,
                     const std::vector<std::string>& sweep_args);

// The number of points (the product of the axes' value counts; 1 without axes). InputError above 10 million.
std::size_t point_count(const std::vector<scenario::SweepAxis>& axes);
// The value text of every axis at `point` (0 <= point < point_count): the last axis varies fastest.
std::vector<std::string> point_values(const std::vector<scenario::SweepAxis>& axes, std::size_t point);
// The overrides of `point`: the spec's sets, then "key=value" for every axis.
std::vector<std::string> point_overrides(const SweepSpec& spec, std::size_t point);
// The text of a value in a table cell: a TOML string ("\"1 Gbit/s\"", "'x'") unquoted, anything else as given.
std::string cell_text(std::string_view value);

// One slice of a sweep for a cluster job array: `shard K/N` runs the points i with i % N == K - 1.
struct Shard {
  std::size_t k = 1;
  std::size_t n = 1;
};
Shard parse_shard(const std::string& text);  // "K/N" with 1 <= K <= N; InputError otherwise
std::vector<std::size_t> shard_points(std::size_t count, Shard shard);

// A cell of a sweep table: its text (strings unquoted) and how JSON writes it.
struct Cell {
  enum class Kind { number, boolean, string };
  Kind kind = Kind::string;
  std::string text;
};

struct SweepTable {
  std::vector<std::string> header;      // "point", the axis keys, the catalog metric names
  std::vector<std::vector<Cell>> rows;  // in point order
};

std::vector<std::string> sweep_header(const SweepSpec& spec);

// Called after each point has run with (points done, points in all); calls are serialized.
using SweepProgress = std::function<void(std::size_t done, std::size_t total)>;

// Runs `points` (indices into the cross product, increasing) on up to `jobs` threads. Every point is loaded (and
// so checked) before the first one runs: a bad axis value is an InputError at the axis's position naming the
// value and the point, thrown before any simulation starts. Of several bad points the lowest is reported.
SweepTable run_sweep(const SweepSpec& spec, const std::vector<std::size_t>& points, unsigned jobs,
                     const SweepProgress& progress = {});

enum class TableFormat { csv, jsonl };
TableFormat parse_table_format(const std::string& text);  // "csv" or "jsonl"; InputError otherwise

// CSV: a header line, then one line per row, fields quoted (RFC 4180) only where needed, "\n" line ends.
// JSON lines: one object per row, keys in header order, numbers and booleans bare, no spaces.
void write_table(std::ostream& out, const SweepTable& table, TableFormat format);

// A table read back from a file (CSV or JSON lines, told apart by its first character), keeping each record's
// text so that merging reproduces it byte for byte.
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
// Parses `text`; errors are InputErrors at file:line:column. Every JSON line must have the first line's keys.
TableFile parse_table(std::string_view text, const std::string& file);
TableFile read_table_file(const std::string& path);

// Joins the slices of a sharded sweep into the table one unsharded run writes: the header once, the rows sorted by
// point. Throws InputError for different formats or headers, a point given twice, or (unless `allow_partial`) a
// gap in the point numbers. Points missing after the largest one present cannot be seen.
void merge_tables(std::ostream& out, const std::vector<std::string>& paths, bool allow_partial);

}  // namespace shardsim::study
