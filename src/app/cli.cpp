#include "shardsim/app/cli.hpp"

#include "shardsim/app/commands.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace {

constexpr const char* kUsage =
    "usage: shardsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO       simulate a scenario and print its report\n"
    "  check FILE...      run scenarios and evaluate their [expect] tables (exit 1 if one fails)\n"
    "  verify             check numerically (Eigen) that the seed plan's split gives the unsplit layer\n"
    "  compare SCENARIO   run one scenario on several topologies (--topology A --topology B ...) side by side\n"
    "  sweep SCENARIO     run a scenario over the cross product of its [sweep] table and --sweep axes (table)\n"
    "  merge FILE...      join the slices of a sharded sweep (--shard K/N) into one table\n"
    "  plot TABLE         draw a sweep table with gnuplot as SVG (--x KEY --y METRIC --series KEY)\n"
    "  topo FILE          a topology's nodes, switches, links, diameter and bisection (--dot: Graphviz)\n"
    "  presets            the model presets, node types and topology files there are\n"
    "  explain SCENARIO   the closed-form estimate op by op, beside the simulated time\n"
    "\n"
    "Run 'shardsim <command> --help' for a command's options.\n"
    "exit codes: 0 ok, 1 an expectation failed, 2 bad input, 70 internal error\n";

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      (args.empty() ? err : out) << kUsage;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      out << "shardsim 0.1.0\n";
      return 0;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "run") return run_command(rest, out);
    if (args[0] == "check") return check_command(rest, out);
    if (args[0] == "verify") return verify_command(rest, out);
    if (args[0] == "compare") return compare_command(rest, out);
    if (args[0] == "sweep") return sweep_command(rest, out);
    if (args[0] == "merge") return merge_command(rest, out);
    if (args[0] == "plot") return plot_command(rest, out);
    if (args[0] == "topo") return topo_command(rest, out);
    if (args[0] == "presets") return presets_command(rest, out);
    if (args[0] == "explain") return explain_command(rest, out);
    err << "shardsim: unknown command '" << args[0] << "'\n\n" << kUsage;
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
