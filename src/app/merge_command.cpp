#include <fstream>
#include <sstream>

#include "shardsim/app/commands.hpp"
#include "shardsim/table/merge.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int merge_command(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim merge FILE... [options]\n\n"
      "Joins the slices of a sharded sweep (shardsim sweep --shard K/N, CSV or JSON lines) into the table one\n"
      "unsharded run writes, byte for byte: the header once, the rows sorted by point. A point given twice, a gap\n"
      "in the point numbers, or slices with different columns are errors.\n"
      "example: shardsim merge part*.csv -o sweep.csv\n\noptions");
  options.add_options()("files", po::value<std::vector<std::string>>()->required(), "slice files")(
      "output,o", po::value<std::string>(), "write the table to this file instead of standard output")(
      "allow-partial", po::bool_switch(), "allow gaps in the point numbers (merge the slices that finished)");
  po::positional_options_description positional;
  positional.add("files", -1);
  Parsed p = parse_options(args, options, positional);
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  // Merged in memory first, so that an error leaves no half-written output.
  std::ostringstream merged;
  table::merge_tables(merged, strings(p.vm, "files"), p.vm["allow-partial"].as<bool>());
  if (p.vm.count("output")) {
    const std::string path = p.vm["output"].as<std::string>();
    std::ofstream file(path, std::ios::binary);
    file << merged.str();
    if (!file) throw InputError(SourcePos{"command line", 0, 0}, "cannot write '" + path + "'");
  } else {
    out << merged.str();
  }
  return 0;
}

}  // namespace shardsim::app
