#include <cmath>
#include <cstdio>
#include <sstream>

#include "shardsim/app/command_options.hpp"
#include "shardsim/app/commands.hpp"
#include "shardsim/study/bench_calibration.hpp"
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

// Each field (fitted, or kept and why), each run's residual and leave-one-out error, the rms of both.
void print_fit(const study::FitResult& fit, std::ostream& out) {
  char line[512];
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
}

// The values found so far (from the tools' files), as overrides for the runs fitted after them.
std::vector<std::string> as_overrides(const std::vector<study::CalibratedField>& fields) {
  std::vector<std::string> out;
  for (const study::CalibratedField& f : fields) {
    out.push_back("topology.node_types." + f.node_type + "." + f.field.name + "=" + study::field_text(f.field, f.value));
  }
  return out;
}

// Adds `field`, replacing an earlier value of the same field (a later source refines an earlier one).
void add_field(std::vector<study::CalibratedField>& fields, study::CalibratedField field) {
  for (study::CalibratedField& f : fields) {
    if (f.node_type == field.node_type && f.field.name == field.field.name) {
      f = std::move(field);
      return;
    }
  }
  fields.push_back(std::move(field));
}

// The fit of the measured runs: printed, and its values and kept presets added to the file's contents.
void fit_measured_runs(const CommandOptions& options, std::ostream& out, std::vector<study::CalibratedField>& fields,
                       std::vector<study::KeptPreset>& kept) {
  study::FitRequest request;
  request.file = options.text("measured");
  request.runs = study::read_measured_runs(request.file);
  request.node_type = options.text("node-type");
  request.fields = split_list(options.text("fit"));
  request.base = options.sets();
  for (std::string& o : as_overrides(fields)) request.base.push_back(std::move(o));
  request.jobs = options.value<unsigned>("jobs");
  const study::FitResult fit = study::fit_measured(request);
  out << "node type " << fit.node_type << ": fitted to " << fit.rows.size() << " measured run"
      << (fit.rows.size() == 1 ? "" : "s") << " of " << request.file << " (least squares on the relative error)\n";
  print_fit(fit, out);
  char line[512];

  std::size_t determined = 0;
  for (const study::FittedField& f : fit.fields) determined += f.determined ? 1 : 0;
  for (const study::FittedField& f : fit.fields) {
    if (!f.determined) {
      kept.push_back(study::KeptPreset{fit.node_type, f.field.name, f.why_not});
      continue;
    }
    char left_out[64] = "";
    if (fit.left_out_rms) std::snprintf(left_out, sizeof left_out, ", leave-one-out %.2f %%", 100 * *fit.left_out_rms);
    std::snprintf(line, sizeof line, "fitted to %zu measured run%s of %s with %zu field%s (rms residual %.2f %%%s);",
                  fit.rows.size(), fit.rows.size() == 1 ? "" : "s", request.file.c_str(), determined, determined == 1 ? "" : "s", 100 * fit.rms,
                  left_out);
    add_field(fields, study::CalibratedField{fit.node_type, f.field, f.value,
                                             {line, "the preset was " + study::field_display(f.field, f.preset)}});
  }
}

// The link between the two boards, from the command line.
study::LinkContext link_of(const CommandOptions& options) {
  study::LinkContext link;
  auto time_option = [&](const char* key) {
    try {
      return parse_time(options.text(key)).seconds();
    } catch (const UnitError& e) {
      throw command_line_error(std::string("--") + key + ": " + e.what());
    }
  };
  try {
    link.bandwidth = parse_byte_rate(options.text("link-bandwidth")).per_second;
  } catch (const UnitError& e) {
    throw command_line_error(std::string("--link-bandwidth: ") + e.what());
  }
  link.link_latency = time_option("link-latency");
  link.forwarding_latency = time_option("forwarding-latency");
  link.hops = options.value<int>("hops");
  if (link.hops < 1) throw command_line_error("--hops: expected at least 1");
  link.mtu = static_cast<double>(options.value<int>("mtu"));
  if (link.mtu < 1) throw command_line_error("--mtu: expected at least 1");
  return link;
}

void calibrate_llama_bench(const CommandOptions& options, std::ostream& out,
                           std::vector<study::CalibratedField>& fields) {
  study::BenchContext context;
  context.node_types_file = options.text("node-types");
  context.node_type = options.text("node-type");
  context.transformer = options.texts("transformer");
  context.jobs = options.value<unsigned>("jobs");
  const std::string file = options.text("llama-bench");
  const study::LlamaBenchFit fit = study::fit_llama_bench(file, context);
  out << "node type " << fit.fit.node_type << ": llama-bench " << file << " (" << fit.model << ", one node)\n";
  print_fit(fit.fit, out);
  for (const study::CalibratedField& f : fit.fields) add_field(fields, f);
}

void calibrate_network(const CommandOptions& options, std::ostream& out, std::vector<study::CalibratedField>& fields,
                       std::vector<std::string>& header) {
  const study::LinkContext link = link_of(options);
  char line[512];
  if (options.has("iperf3")) {
    const std::string file = options.text("iperf3");
    const study::Iperf3Fit fit = study::fit_iperf3(study::read_iperf3(file), link);
    std::snprintf(line, sizeof line,
                  "iperf3 %s: %.1f Mbit/s of payload on a %.4g Mbit/s link (%.2f %%): with %.0f payload bytes per "
                  "frame, %.1f bytes of framing per frame",
                  file.c_str(), fit.goodput * 8e-6, link.bandwidth * 8e-6, 100 * fit.efficiency, link.mtu,
                  fit.frame_overhead);
    out << line << "\n";
    std::snprintf(line, sizeof line, "--set network.frame_overhead=\"%.0f B\" (a scenario's [network] setting)",
                  fit.frame_overhead);
    out << "  to use it: " << line << "\n";
    header.push_back(std::string(line).insert(0, "From the iperf3 test: "));
  }
  if (options.has("ping")) {
    const std::string file = options.text("ping");
    if (options.text("node-type").empty()) {
      throw command_line_error("--ping: name the node type of the two boards with --node-type");
    }
    const study::PingResult ping = study::read_ping(file);
    const study::PingFit fit = study::fit_ping(ping, link);
    std::snprintf(line, sizeof line,
                  "ping %s: rtt avg %.4g ms = 2 x (wire %.4g us + the two network stacks %.4g us); split evenly",
                  file.c_str(), ping.avg * 1e3, fit.wire * 1e6, fit.per_message * 1e6);
    out << line << "\n";
    const std::string type = options.text("node-type");
    for (const char* name : {"send_overhead", "recv_overhead"}) {
      const study::NodeField field = *study::node_field(name);
      const double value = name == std::string("send_overhead") ? fit.send_overhead : fit.recv_overhead;
      out << "  " << name << " " << study::field_display(field, value) << "\n";
      add_field(fields, study::CalibratedField{
                            type, field, value,
                            {"ping " + file + ": half of the one-way time the two stacks take (rtt avg / 2 less the "
                             "wire: " + line + ");",
                             "an echo is answered by the kernel, so a runtime's messages (user space at both ends) "
                             "may cost more: fit --measured runs to check"}});
    }
  }
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim calibrate [--measured RUNS.csv] [options]

Fits node-type fields to your own measurements and writes them as a node-types TOML, each value with a comment
saying where it came from; give it to run, check, sweep, compare and explain with --calibration FILE.
  --llama-bench FILE (llama-bench -o json, pp and tg tests on one board, --node-type required): the prefill
      kernel rate of the model's format from pp, memory_bandwidth from tg, simulating each test on one node.
  --iperf3 FILE (iperf3 -J): the link's payload rate, hence the [network] frame_overhead (printed, not written).
  --ping FILE (ping -c N): send_overhead and recv_overhead of --node-type, the round trip less the wire, halved.
  --measured RUNS.csv: end-to-end runs, one per row: scenario,set,measured (a scenario path relative to the CSV,
      ;-separated key=value overrides, a time with its unit); an optional fourth column names the figure measured
      (default token_latency). The --fit fields are chosen by least squares on the relative error, simulating
      every run with shardsim; fields the runs cannot determine keep their preset, and the output says so.
example: shardsim calibrate --measured runs.csv -o my-pis.toml
         shardsim run scenarios/S.toml --calibration my-pis.toml

options)");
  options.add()("llama-bench", po::value<std::string>(), "the output of llama-bench -o json on one board")(
      "iperf3", po::value<std::string>(), "the output of iperf3 -J between two boards")(
      "ping", po::value<std::string>(), "the output of ping -c N between two boards")(
      "measured", po::value<std::string>(), "end-to-end runs (CSV: scenario,set,measured[,metric])")(
      "fit", po::value<std::string>(),
      "the node-type fields to fit, comma-separated (default: memory_bandwidth, the decode rate of the models' "
      "weight format, and send_overhead, recv_overhead when a run spans nodes)")(
      "node-type", po::value<std::string>(), "the node type measured (default for --measured: the one the runs use)")(
      "node-types", po::value<std::string>()->default_value("topologies/pi-nodes.toml"),
      "llama-bench: the file that defines --node-type")(
      "transformer", po::value<std::vector<std::string>>(),
      "llama-bench: a [transformer] key=value instead of the preset matched to the file's model (repeatable)")(
      "link-bandwidth", po::value<std::string>()->default_value("1 Gbit/s"), "iperf3, ping: the link's bandwidth")(
      "hops", po::value<int>()->default_value(2), "ping: links between the two boards (2 through one switch)")(
      "link-latency", po::value<std::string>()->default_value("0.5 us"), "ping: each link's propagation latency")(
      "forwarding-latency", po::value<std::string>()->default_value("2 us"), "ping: each switch's forwarding")(
      "mtu", po::value<int>()->default_value(1448), "iperf3: payload bytes per frame (the scenario's network.mtu)")(
      "jobs,j", po::value<unsigned>()->default_value(1), "runs simulated at once");
  options.set("override a key in every measured run (repeatable)")
      .output("write the node-types TOML to this file (default: after the report, on standard output)");
  if (!options.parse(args, out)) return 0;
  if (!options.has("measured") && !options.has("llama-bench") && !options.has("iperf3") && !options.has("ping")) {
    throw command_line_error("give at least one measurement: --llama-bench, --iperf3, --ping or --measured");
  }
  if (options.value<unsigned>("jobs") == 0) throw command_line_error("--jobs: expected at least 1");

  std::vector<study::CalibratedField> fields;
  std::vector<study::KeptPreset> kept;
  std::vector<std::string> header{"Node types calibrated by shardsim calibrate; use with --calibration THIS_FILE."};
  // The tools' figures first; end-to-end runs are then fitted on top of them (a field they fit again is replaced).
  if (options.has("llama-bench")) calibrate_llama_bench(options, out, fields);
  calibrate_network(options, out, fields, header);
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
