#include "shardsim/app/commands.hpp"
#include "shardsim/app/plot.hpp"
#include "shardsim/table/table_file.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int plot_command(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim plot TABLE --x KEY --y METRIC [--series KEY] -o FILE.svg\n\n"
      "Draws a sweep table (CSV or JSON lines) with gnuplot as SVG: y against x, one line per value of the series\n"
      "column. x must be numeric (numbers, or quantities such as \"1 Gbit/s\"); it is drawn on a log scale when\n"
      "all x are positive and span more than a factor of 20. Needs gnuplot (Debian: apt-get install gnuplot-nox).\n"
      "example: shardsim plot sweep.csv --x plan.nodes --y tokens_per_second --series topology.star.0.bandwidth "
      "-o tps.svg\n\noptions");
  options.add_options()("table", po::value<std::string>()->required(), "table file (from shardsim sweep or merge)")(
      "x", po::value<std::string>()->required(), "the column on the x axis")(
      "y", po::value<std::string>()->required(), "the column on the y axis")(
      "series", po::value<std::string>(), "one line per distinct value of this column")(
      "output,o", po::value<std::string>()->required(), "the SVG file to write");
  po::positional_options_description positional;
  positional.add("table", 1);
  Parsed p = parse_options(args, options, positional);
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  const PlotSpec spec{p.vm["x"].as<std::string>(), p.vm["y"].as<std::string>(),
                      p.vm.count("series") ? p.vm["series"].as<std::string>() : std::string(),
                      p.vm["output"].as<std::string>()};
  const table::TableFile file = table::read_table_file(p.vm["table"].as<std::string>());
  if (!file.format) throw InputError(SourcePos{p.vm["table"].as<std::string>(), 0, 0}, "the file is empty");
  std::vector<std::vector<std::string>> rows;
  for (const table::TableFile::Record& r : file.records) rows.push_back(r.cells);
  check_plot_columns(file.header, spec);
  plot_table(file.header, rows, spec);
  return 0;
}

}  // namespace shardsim::app
