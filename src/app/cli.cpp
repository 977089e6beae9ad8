#include "shardsim/app/cli.hpp"

#include <cstdio>

#include "shardsim/app/commands.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace {

// Every command, registered once: the usage lists them in this order and run_cli dispatches by name.
struct Command {
  const char* name;
  const char* synopsis;  // the name and its arguments, as the usage shows them
  const char* summary;
  int (*run)(const std::vector<std::string>& args, std::ostream& out);
};

constexpr Command kCommands[] = {
    {"run", "run SCENARIO", "simulate a scenario and print its report", run_command},
    {"check", "check FILE...", "run scenarios and evaluate their [expect] tables (exit 1 if one fails)",
     check_command},
    {"verify", "verify", "check numerically (Eigen) that the seed plan's split gives the unsplit layer",
     verify_command},
    {"compare", "compare SCENARIO", "run one scenario on several topologies (--topology A --topology B ...) side by side",
     compare_command},
    {"sweep", "sweep SCENARIO", "run a scenario over the cross product of its [sweep] table and --sweep axes (table)",
     sweep_command},
    {"search", "search SCENARIO", "find the best plan for the scenario's model and cluster (--require, --emit best.toml)",
     search_command},
    {"merge", "merge FILE...", "join the slices of a sharded sweep (--shard K/N) into one table", merge_command},
    {"plot", "plot TABLE", "draw a table with gnuplot as SVG or PNG: lines, or bars for a word-valued x", plot_command},
    {"topo", "topo FILE", "a topology's nodes, switches, links, diameter and bisection (--dot: Graphviz)",
     topo_command},
    {"presets", "presets", "the model presets, node types and topology files there are", presets_command},
    {"explain", "explain SCENARIO", "the closed-form estimate op by op, beside the simulated time", explain_command},
    {"calibrate", "calibrate", "fit node types to your measurements (--measured runs.csv) and write them as TOML",
     calibrate_command},
};

std::string usage() {
  std::string text = "usage: shardsim <command> [options]\n\ncommands:\n";
  for (const Command& c : kCommands) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-19s%s\n", c.synopsis, c.summary);
    text += line;
  }
  return text +
         "\n"
         "Run 'shardsim <command> --help' for a command's options.\n"
         "exit codes: 0 ok, 1 an expectation failed, 2 bad input, 70 internal error\n";
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      (args.empty() ? err : out) << usage();
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      out << "shardsim 0.1.0\n";
      return 0;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const Command& c : kCommands) {
      if (args[0] == c.name) return c.run(rest, out);
    }
    err << "shardsim: unknown command '" << args[0] << "'\n\n" << usage();
    return 2;
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return 2;
  } catch (const InternalError& e) {
    err << "shardsim: " << e.what() << " (please report this)\n";
    return 70;
  } catch (const std::bad_alloc&) {
    err << "shardsim: out of memory\n";
    return 70;
  }
}

}  // namespace shardsim::app
