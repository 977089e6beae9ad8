#pragma once
// Parameter sweeps (`shardsim sweep`): the cross product of axes over one scenario, every point loaded with its
// axis values as overrides and run through the whole pipeline on a pool of threads, and the table that comes out:
// one row per point (`point`, one column per axis, every figure of metric_catalog() in catalog order). Rows are in
// point order and figures in exact number formats, so the table (written by table/table.hpp as CSV or JSON lines)
// is byte-identical whatever the number of threads and whether it was run in one piece or in shards joined by
// table::merge_tables().

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "shardsim/scenario/sweep_axis.hpp"
#include "shardsim/table/table.hpp"

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

// "point", the axis keys, the catalog metric names: the columns of the sweep's table.
std::vector<std::string> sweep_header(const SweepSpec& spec);

// Called after each point has run with (points done, points in all); calls are serialized.
using SweepProgress = std::function<void(std::size_t done, std::size_t total)>;

// Runs `points` (indices into the cross product, increasing) on up to `jobs` threads. Every point is loaded (and
// so checked) before the first one runs: a bad axis value is an InputError at the axis's position naming the
// value and the point, thrown before any simulation starts. Of several bad points the lowest is reported.
// The table's header is sweep_header(); a row per point, in the order of `points`: the point, its axis values
// (a TOML string unquoted, as a string cell; other values as their text reads), then every figure of
// metric_catalog() (counts, bytes and flags as integers, other figures in 17 digits; NaN and infinities as the
// strings "nan", "inf", "-inf").
table::Table run_sweep(const SweepSpec& spec, const std::vector<std::size_t>& points, unsigned jobs,
                       const SweepProgress& progress = {});

}  // namespace shardsim::study
