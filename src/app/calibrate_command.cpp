#include <cmath>
#include <cstdio>
#include <sstream>

#include "shardsim/app/command_options.hpp"
#include "shardsim/app/commands.hpp"
#include "shardsim/study/calibration_file.hpp"
#include "shardsim/study/measured_fit.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    out.push_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
  }
  return out;
}

std::string percent(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.2f %%", 100 * ratio);
  return text;
}

std::string seconds_text(double s) { return format_time(Time::from_seconds(s)); }

// The fit of the measured runs: printed, and its values and kept presets added to the file's contents.
void fit_measured_runs(const CommandOptions& options, std::ostream& out, std::vector<study::CalibratedField>& fields,
                       std::vector<study::KeptPreset>& kept) {
  study::FitRequest request;
  request.file = options.text("measured");
  request.runs = study::read_measured_runs(request.file);
  request.node_type = options.text("node-type");
  request.fields = split_list(options.text("fit"));
  request.base = options.sets();
  request.jobs = options.value<unsigned>("jobs");
  if (request.jobs == 0) throw command_line_error("--jobs: expected at least 1");
  const study::FitResult fit = study::fit_measured(request);

  char line[512];
  out << "node type " << fit.node_type << ": fitted to " << fit.rows.size() << " measured runs of " << request.file
      << " (least squares on the relative error)\n";
  for (const study::FittedField& f : fit.fields) {
    if (f.determined) {
      std::snprintf(line, sizeof line, "  %-24s %14s   preset %s (%s)\n", f.field.name.c_str(),
                    study::field_display(f.field, f.value).c_str(), study::field_display(f.field, f.preset).c_str(),
                    percent(f.value / f.preset - 1).c_str());
    } else {
      std::snprintf(line, sizeof line, "  %-24s %14s   the preset, kept: %s\n", f.field.name.c_str(),
                    study::field_display(f.field, f.preset).c_str(), f.why_not.c_str());
    }
    out << line;
  }
  out << "runs: measured, simulated with the fitted values, residual"
      << (fit.left_out_rms ? ", and leave-one-out error (predicted by a fit to the other runs)\n" : "\n");
  for (const study::RowFit& row : fit.rows) {
    std::snprintf(line, sizeof line, "  line %-4d %12s %12s %9s", row.pos.line, seconds_text(row.measured).c_str(),
                  seconds_text(row.simulated).c_str(), percent(row.residual()).c_str());
    out << line;
    if (row.left_out) out << "  " << percent((*row.left_out - row.measured) / row.measured);
    out << "  " << row.label << "\n";
  }
  std::snprintf(line, sizeof line, "rms residual %.2f %%", 100 * fit.rms);
  out << line;
  if (fit.left_out_rms) {
    std::snprintf(line, sizeof line, "; leave-one-out rms %.2f %%", 100 * *fit.left_out_rms);
    out << line;
  } else {
    out << "; no leave-one-out error (it needs more runs than fitted fields + 1)";
  }
  out << "; " << fit.simulations << " simulations\n";

  std::size_t determined = 0;
  for (const study::FittedField& f : fit.fields) determined += f.determined ? 1 : 0;
  for (const study::FittedField& f : fit.fields) {
    if (!f.determined) {
      kept.push_back(study::KeptPreset{fit.node_type, f.field.name, f.why_not});
      continue;
    }
    std::snprintf(line, sizeof line, "fitted to %zu measured runs of %s with %zu field%s (rms residual %.2f %%%s);",
                  fit.rows.size(), request.file.c_str(), determined, determined == 1 ? "" : "s", 100 * fit.rms,
                  fit.left_out_rms ? (", leave-one-out " + std::to_string(100 * *fit.left_out_rms).substr(0, 4) +
                                      " %").c_str()
                                   : "");
    fields.push_back(study::CalibratedField{
        fit.node_type, f.field, f.value, {line, "the preset was " + study::field_display(f.field, f.preset)}});
  }
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim calibrate [--measured RUNS.csv] [options]

Fits node-type fields to your own measurements and writes them as a node-types TOML, each value with a comment
saying where it came from; give it to run, check, sweep, compare and explain with --calibration FILE.
  --measured RUNS.csv: end-to-end runs, one per row: scenario,set,measured (a scenario path relative to the CSV,
      ;-separated key=value overrides, a time with its unit); an optional fourth column names the figure measured
      (default token_latency). The --fit fields are chosen by least squares on the relative error, simulating
      every run with shardsim; fields the runs cannot determine keep their preset, and the output says so.
example: shardsim calibrate --measured runs.csv -o my-pis.toml
         shardsim run scenarios/S.toml --calibration my-pis.toml

options)");
  options.add()("measured", po::value<std::string>(), "end-to-end runs (CSV: scenario,set,measured[,metric])")(
      "fit", po::value<std::string>(),
      "the node-type fields to fit, comma-separated (default: memory_bandwidth, the decode rate of the models' "
      "weight format, and send_overhead, recv_overhead when a run spans nodes)")(
      "node-type", po::value<std::string>(), "the node type to fit (default: the one the runs use)")(
      "jobs,j", po::value<unsigned>()->default_value(1), "runs simulated at once");
  options.set("override a key in every measured run (repeatable)")
      .output("write the node-types TOML to this file (default: after the report, on standard output)");
  if (!options.parse(args, out)) return 0;
  if (!options.has("measured")) throw command_line_error("give at least one measurement: --measured RUNS.csv");

  std::vector<study::CalibratedField> fields;
  std::vector<study::KeptPreset> kept;
  std::vector<std::string> header{"Node types calibrated by shardsim calibrate; use with --calibration THIS_FILE."};
  if (options.has("measured")) fit_measured_runs(options, out, fields, kept);

  if (options.has_output()) {
    std::ofstream file = open_for_writing(options.output_path());
    study::write_calibration(file, header, fields, kept);
  } else {
    out << "\n";
    study::write_calibration(out, header, fields, kept);
  }
  return 0;
}

}  // namespace shardsim::app
