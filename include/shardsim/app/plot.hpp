#pragma once
// Plots of a sweep table through gnuplot (`shardsim plot`, `shardsim sweep --plot`), as SVG or PNG by the output's
// extension. A numeric x (plain numbers, or quantities with units that all parse the same way: "1 Gbit/s" as
// bytes/s, "50 us" as seconds, "4 GiB" as bytes) gives y against x with one line per distinct value of a series
// column, x on a log scale when every x is positive and they span more than a factor of 20. Any other x (topology,
// collective, strategy: words) is a category: grouped bars, one group per category and one bar per series. Axis
// labels carry the unit (read from the cells, or the metric's); y starts at 0 unless y_auto. gnuplot runs as a
// child process reading a script from a temporary folder, with no terminal and a time limit, so a plot never hangs.

#include <string>
#include <vector>

namespace shardsim::app {

struct PlotSpec {
  std::string x;       // column for the x axis
  std::string y;       // column for the y axis
  std::string series;  // column whose values each get a line; "" for one line
  std::string output;  // the .svg or .png file to write
  bool y_auto = false;  // y range fitted to the data (gnuplot's autoscale) instead of starting at 0
};

// Throws InputError (with a "did you mean") when a column of `spec` is not in `header`.
void check_plot_columns(const std::vector<std::string>& header, const PlotSpec& spec);

// Throws InputError "gnuplot is not installed (Debian: apt-get install gnuplot-nox)" when no executable `gnuplot`
// is on PATH; returns its path otherwise.
std::string require_gnuplot();

// The gnuplot script that draws `rows` (cells in `header` order) as `spec` asks, data included. Throws InputError
// for a non-numeric y cell, or when two rows of one series have the same x but differ in another column that
// is not a metric (a sweep with more axes than the plot shows: use --series, or sweep fewer axes); for a
// categorical x, "the same x" is the same category.
std::string gnuplot_script(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                           const PlotSpec& spec);

// Writes spec.output through gnuplot. Throws InputError when gnuplot is missing, fails (with its error output),
// or takes more than a minute.
void plot_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                const PlotSpec& spec);

}  // namespace shardsim::app
