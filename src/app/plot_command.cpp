#include "shardsim/app/commands.hpp"

#include "shardsim/app/command_options.hpp"
#include "shardsim/app/plot.hpp"
#include "shardsim/table/table_file.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int plot_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim plot TABLE --x KEY --y METRIC [--series KEY] [--y-auto] -o FILE.svg|FILE.png

Draws a sweep table (CSV or JSON lines) with gnuplot, as SVG or PNG by the extension of -o. A numeric x
(numbers, or quantities such as "1 Gbit/s") gives y against x, one line per value of the series column, on a
log scale when all x are positive and span more than a factor of 20; any other x (a topology, a collective, a
strategy) gives grouped bars, one group per value of x and one bar per series. Axis labels carry units; y starts
at 0 unless --y-auto. Needs gnuplot (Debian: apt-get install gnuplot-nox).
example: shardsim plot sweep.csv --x plan.nodes --y tokens_per_second --series topology.star.0.bandwidth -o tps.svg
example: shardsim plot sweep.csv --x plan.collective --y token_latency --series plan.nodes -o collectives.png

options)");
  options.input("table", "table file (from shardsim sweep or merge)");
  options.plot_axes(true);
  options.required_output("the SVG file to write");
  if (!options.parse(args, out)) return 0;

  const PlotSpec spec{options.text("x"), options.text("y"), options.text("series"), options.output_path(),
                      options.value<bool>("y-auto")};
  const table::TableFile file = table::read_table_file(options.text("table"));
  if (!file.format) throw InputError(SourcePos{options.text("table"), 0, 0}, "the file is empty");
  std::vector<std::vector<std::string>> rows;
  for (const table::TableFile::Record& r : file.records) rows.push_back(r.cells);
  check_plot_columns(file.header, spec);
  plot_table(file.header, rows, spec);
  return 0;
}

}  // namespace shardsim::app
