#pragma once
// Joins the slices of a sharded sweep (`shardsim sweep --shard K/N`, one file each) into the table one unsharded
// run writes, byte for byte: the header once, then every slice's records as written, sorted by their first
// column, `point`, which numbers the rows 0, 1, 2, ... of the whole sweep.

#include <ostream>
#include <string>
#include <vector>

namespace shardsim::table {

// Reads the files at `paths` (CSV or JSON lines, all the same; an empty file is a slice without points) and writes
// the merged table to `out` only once all were read. Throws InputError for different formats or headers, a first
// column that is not `point`, a point that is not a number or is given twice, or (unless `allow_partial`) a gap
// in the point numbers. Points missing after the largest one present cannot be seen.
void merge_tables(std::ostream& out, const std::vector<std::string>& paths, bool allow_partial);

}  // namespace shardsim::table
