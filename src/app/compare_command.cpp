#include "shardsim/app/commands.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "shardsim/app/command_options.hpp"
#include "shardsim/report/expectation_check.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/table/table.hpp"
#include "shardsim/util/json_text.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace {

// One column of the comparison: a scenario run on one topology.
struct Column {
  std::string topology;
  std::unique_ptr<scenario::Scenario> scenario;  // owned here: the result points into its topology
  report::Result result;
  std::size_t busiest = 0;  // link direction carrying the most bytes
};

std::string percent(Time part, Time whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                whole.ps > 0 ? 100.0 * static_cast<double>(part.ps) / static_cast<double>(whole.ps) : 0.0);
  return buf;
}

// The scenario run on `topology`, with the link direction that carried the most bytes.
Column run_column(const std::string& scenario, const std::vector<std::string>& sets, const std::string& topology) {
  std::unique_ptr<scenario::Scenario> s;
  try {
    s = std::make_unique<scenario::Scenario>(scenario::load(scenario, sets, topology));
  } catch (const InputError& e) {
    // The position may be in the scenario, which is the same for every column: name the column too.
    throw InputError(e.pos(), e.message() + " (with --topology " + topology + ")");
  }
  report::Result result = study::run_scenario(*s);
  Column c{topology, std::move(s), std::move(result), 0};
  const auto& links = c.result.stats.links;
  for (std::size_t d = 1; d < links.size(); ++d) {
    if (links[d].wire_bytes > links[c.busiest].wire_bytes) c.busiest = d;
  }
  return c;
}

// A line of the comparison: a label and one cell per column.
struct Row {
  std::string label;
  std::vector<std::string> cells;
};

// What is compared, row by row: the topology, the figures of a token (or of a training step), the busiest link
// direction and the parts of the critical path.
std::vector<Row> comparison_rows(const std::vector<Column>& columns) {
  std::vector<Row> rows;
  auto row = [&](std::string label, auto cell) {
    std::vector<std::string> cells;
    for (const Column& c : columns) cells.push_back(cell(c));
    rows.push_back({std::move(label), std::move(cells)});
  };
  auto figure = [](const Column& c, std::string_view name) {
    const std::size_t i = *metric_index(name);
    return report::format_figure(c.result.figures[i], metric_catalog()[i].unit);
  };
  row("topology", [](const Column& c) { return c.topology; });
  row("nodes / switches / links", [](const Column& c) {
    const topo::Topology& t = *c.result.inputs.topology;
    return std::to_string(t.node_count()) + " / " + std::to_string(t.switch_count()) + " / " +
           std::to_string(t.link_count());
  });
  // One scenario in every column: a training step or an inference token throughout.
  const bool training = columns.front().result.inputs.run.training.has_value();
  if (training) {
    row("step time", [&](const Column& c) { return figure(c, "step_time"); });
    row("training tokens/s", [&](const Column& c) { return figure(c, "training_tokens_per_second"); });
    row("exposed gradient sync", [&](const Column& c) { return figure(c, "step_gradient_sync"); });
    row("fits", [&](const Column& c) { return figure(c, "fits"); });
  } else {
    row("token latency", [&](const Column& c) { return figure(c, "token_latency"); });
    row("tokens/s", [&](const Column& c) { return figure(c, "tokens_per_second"); });
  }
  row("busiest link direction", [](const Column& c) {
    return c.result.inputs.topology->dir_link_name(static_cast<topo::DirLinkId>(c.busiest));
  });
  row("  bytes on it", [](const Column& c) { return format_bytes(c.result.stats.links[c.busiest].wire_bytes); });
  row(training ? "  utilization (busy / step)" : "  utilization (busy / token)",
      [](const Column& c) { return percent(c.result.stats.links[c.busiest].busy, c.result.stats.token_latency); });
  auto cp = [&](std::string label, auto part) {
    row(std::move(label), [part](const Column& c) {
      const exec::Breakdown& b = c.result.stats.critical_path;
      const Time t = part(b);
      return format_time(t) + " (" + percent(t, b.total()) + ")";
    });
  };
  cp("critical path: latency + overhead", [](const exec::Breakdown& b) { return b.latency + b.overhead; });
  cp("critical path: serialization", [](const exec::Breakdown& b) { return b.serialization; });
  cp("critical path: compute", [](const exec::Breakdown& b) { return b.compute + b.memory; });
  cp("critical path: waiting", [](const exec::Breakdown& b) { return b.waiting; });
  return rows;
}

// Labels left-aligned, cells right-aligned in columns as wide as their widest cell, three spaces apart.
void print_aligned(std::ostream& out, const std::vector<Row>& rows) {
  std::size_t label_width = 0;
  std::vector<std::size_t> widths(rows.front().cells.size(), 0);
  for (const auto& [label, cells] : rows) {
    label_width = std::max(label_width, label.size());
    for (std::size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], cells[i].size());
  }
  for (const auto& [label, cells] : rows) {
    std::string line = label + std::string(label_width - label.size() + 2, ' ');
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += std::string(widths[i] - cells[i].size(), ' ') + cells[i];
      if (i + 1 < cells.size()) line += "   ";
    }
    out << line << "\n";
  }
}

// One row per topology: the topology file, its size, then every figure of the run (the JSON report's `figures`),
// numbers in the shortest form that reads back exactly.
table::Table comparison_table(const std::vector<Column>& columns) {
  table::Table t{{"topology", "topology_nodes", "topology_switches", "topology_links"}, {}};
  const report::Result& first = columns.front().result;
  std::vector<std::size_t> metrics;
  for (std::size_t i = 0; i < metric_catalog().size(); ++i) {
    const std::string_view name = metric_catalog()[i].name;
    if (generation_metric(name) && !first.generation) continue;
    if (training_metric(name) && !first.inputs.run.training) continue;
    metrics.push_back(i);
    t.header.emplace_back(name);
  }
  for (const Column& c : columns) {
    const topo::Topology& topology = *c.result.inputs.topology;
    std::vector<table::Cell> row{{table::Cell::Kind::string, c.topology},
                                 {table::Cell::Kind::number, std::to_string(topology.node_count())},
                                 {table::Cell::Kind::number, std::to_string(topology.switch_count())},
                                 {table::Cell::Kind::number, std::to_string(topology.link_count())}};
    for (std::size_t i : metrics) {
      const double v = c.result.figures[i];
      row.push_back(std::isfinite(v) ? table::Cell{table::Cell::Kind::number, json_number(v)}
                                     : table::Cell{table::Cell::Kind::string, std::isnan(v) ? "nan" : "inf"});
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace

int compare_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim compare SCENARIO --topology A.toml --topology B.toml ... [options]

Runs one scenario's workload on several topologies and prints them side by side. --format json writes every
run's JSON report (as `run --format json`) under "runs"; --format csv one row per topology with every figure.
example: shardsim compare scenarios/gpt4-1024-pi4.toml --topology topologies/pi4-1024-tree-1g.toml \
           --topology topologies/pi4-1024-tree-10g.toml

options)");
  options.input("scenario", "scenario file").format({"text", "json", "csv"}, "output format: text, json or csv");
  options.add()("topology", po::value<std::vector<std::string>>()->required(),
                "a topology file (repeat for each column)");
  options.set("override a scenario key in every run (repeatable)");
  if (!options.parse(args, out)) return 0;

  const std::string scenario = options.text("scenario");
  std::vector<Column> columns;
  for (const std::string& topology : options.texts("topology")) {
    columns.push_back(run_column(scenario, options.sets(), topology));
  }
  if (options.format() == "json") {
    std::vector<const report::Result*> runs;
    for (const Column& c : columns) runs.push_back(&c.result);
    report::write_json_comparison(out, scenario, runs);
  } else if (options.format() == "csv") {
    table::write_table(out, comparison_table(columns), table::TableFormat::csv);
  } else {
    out << "scenario " << scenario << "\n\n";
    print_aligned(out, comparison_rows(columns));
  }
  return 0;
}

}  // namespace shardsim::app
