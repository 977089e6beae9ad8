#include "shardsim/app/commands.hpp"

#include <sstream>

#include "shardsim/app/command_options.hpp"
#include "shardsim/table/merge.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int merge_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim merge FILE... [options]

Joins the slices of a sharded sweep (shardsim sweep --shard K/N, CSV or JSON lines) into the table one
unsharded run writes, byte for byte: the header once, the rows sorted by point. A point given twice, a gap
in the point numbers, or slices with different columns are errors.
example: shardsim merge part*.csv -o sweep.csv

options)");
  options.inputs("files", "slice files").output("write the table to this file instead of standard output");
  options.add()("allow-partial", po::bool_switch(), "allow gaps in the point numbers (merge the slices that finished)");
  if (!options.parse(args, out)) return 0;

  // Merged in memory first, so that an error leaves no half-written output (the output file is not even made).
  std::ostringstream merged;
  table::merge_tables(merged, options.texts("files"), options.value<bool>("allow-partial"));
  OutputSink sink(options, out);
  sink.stream() << merged.str();
  // An output file that opened but did not take the bytes (a full disk) is an error too.
  if (options.has_output() && !sink.stream()) throw command_line_error("cannot write '" + options.output_path() + "'");
  return 0;
}

}  // namespace shardsim::app
