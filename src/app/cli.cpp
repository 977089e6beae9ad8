#include "shardsim/app/cli.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>

#include "shardsim/app/pipeline.hpp"
#include "shardsim/plan/partition.hpp"
#include "shardsim/plan/seed_check.hpp"
#include "shardsim/report/expectation_check.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/scenario/scenario.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace {

constexpr const char* kUsage =
    "usage: shardsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO       simulate a scenario and print its report\n"
    "  check FILE...      run scenarios and evaluate their [expect] tables (exit 1 if one fails)\n"
    "  verify             check numerically (Eigen) that the seed plan's split gives the unsplit layer\n"
    "\n"
    "Run 'shardsim <command> --help' for a command's options.\n"
    "exit codes: 0 ok, 1 an expectation failed, 2 bad input, 70 internal error\n";

struct Parsed {
  po::variables_map vm;
  bool help = false;
};

Parsed parse(const std::vector<std::string>& args, po::options_description& options,
             const po::positional_options_description& positional) {
  options.add_options()("help,h", "show this help");
  Parsed p;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), p.vm);
    p.help = p.vm.count("help") > 0;
    if (!p.help) po::notify(p.vm);
  } catch (const po::error& e) {
    throw InputError(SourcePos{"command line", 0, 0}, e.what());
  }
  return p;
}

std::vector<std::string> strings(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
}

int cmd_run(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim run SCENARIO [options]\n\n"
      "Simulates one token of the scenario and prints the report.\n"
      "example: shardsim run scenarios/gpt4-1024-pi4.toml --set plan.nodes=512 --format json\n\noptions");
  options.add_options()("scenario", po::value<std::string>()->required(), "scenario file")(
      "format", po::value<std::string>()->default_value("text"), "report format: text or json")(
      "set", po::value<std::vector<std::string>>(), "override a key, e.g. --set model.layers=24 (repeatable)")(
      "output,o", po::value<std::string>(), "write the report to this file instead of standard output");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  Parsed p = parse(args, options, positional);
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  const std::string format = p.vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    throw InputError(SourcePos{"command line", 0, 0}, "--format: expected text or json, got '" + format + "'");
  }
  const scenario::Scenario s = scenario::load(p.vm["scenario"].as<std::string>(), strings(p.vm, "set"));
  const report::Result result = run_scenario(s);
  std::ofstream file;
  if (p.vm.count("output")) {
    file.open(p.vm["output"].as<std::string>());
    if (!file) throw InputError(SourcePos{"command line", 0, 0}, "cannot write '" + p.vm["output"].as<std::string>() + "'");
  }
  std::ostream& sink = file.is_open() ? file : out;
  if (format == "json") {
    report::write_json(sink, result);
  } else {
    report::write_text(sink, result);
  }
  return 0;
}

int cmd_check(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim check FILE... [options]\n\n"
      "Runs each scenario and evaluates its [expect] table; exits 1 if any check fails.\n"
      "example: shardsim check scenarios/*.toml\n\noptions");
  options.add_options()("files", po::value<std::vector<std::string>>()->required(), "scenario files")(
      "set", po::value<std::vector<std::string>>(), "override a key in every scenario (repeatable)");
  po::positional_options_description positional;
  positional.add("files", -1);
  Parsed p = parse(args, options, positional);
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  int failed = 0;
  int passed = 0;
  for (const std::string& file : strings(p.vm, "files")) {
    const scenario::Scenario s = scenario::load(file, strings(p.vm, "set"));
    const report::Result result = run_scenario(s);
    out << file << "\n";
    if (s.expectations.empty()) out << "  (no [expect] table)\n";
    for (const report::CheckOutcome& o : report::check(s.expectations, result.figures)) {
      const MetricUnit unit = metric_catalog()[o.expectation->index].unit;
      char line[512];
      std::snprintf(line, sizeof line, "  %-4s %-34s expected %-28s actual %s\n", o.passed ? "ok" : "FAIL",
                    o.expectation->metric.c_str(), o.wanted.c_str(), report::format_figure(o.actual, unit).c_str());
      out << line;
      if (!o.passed) out << "       at " << to_string(o.expectation->pos) << "\n";
      (o.passed ? passed : failed)++;
    }
  }
  out << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? 1 : 0;
}

int cmd_verify(const std::vector<std::string>& args, std::ostream& out) {
  po::options_description options(
      "shardsim verify [options]\n\n"
      "Runs the seed plan's split of y = relu(x @ expand) @ reduce machine by machine with Eigen (float32, seeded\n"
      "random weights), iterated, and compares it with the unsplit layer. Uneven splits are balanced.\n"
      "example: shardsim verify --nodes 256\n\noptions");
  options.add_options()("d-model", po::value<std::int64_t>()->default_value(512), "embedding width")(
      "d-ff", po::value<std::int64_t>()->default_value(2048), "hidden width")(
      "batch", po::value<std::int64_t>()->default_value(6), "rows of the input")(
      "nodes", po::value<int>()->default_value(4), "machines the layer is split across")(
      "iterations", po::value<int>()->default_value(10), "times the layer is applied")(
      "seed", po::value<std::uint64_t>()->default_value(30), "random seed");
  Parsed p = parse(args, options, {});
  if (p.help) {
    out << options << "\n";
    return 0;
  }
  plan::SeedCheckOptions o;
  o.d_model = p.vm["d-model"].as<std::int64_t>();
  o.d_ff = p.vm["d-ff"].as<std::int64_t>();
  o.batch = p.vm["batch"].as<std::int64_t>();
  o.iterations = p.vm["iterations"].as<int>();
  o.seed = p.vm["seed"].as<std::uint64_t>();
  const int nodes = p.vm["nodes"].as<int>();
  const SourcePos cli{"command line", 0, 0};
  if (o.d_model < 1 || o.d_ff < 1 || o.batch < 1 || o.iterations < 1) {
    throw InputError(cli, "--d-model, --d-ff, --batch and --iterations must be positive");
  }
  if (o.d_model > 16384 || o.d_ff > 65536 || o.batch > 4096) {
    throw InputError(cli, "verify is for small layers: at most --d-model 16384, --d-ff 65536, --batch 4096");
  }
  if (nodes < 1 || nodes > o.d_model) {
    throw InputError(cli, "--nodes must be between 1 and d_model (" + std::to_string(o.d_model) +
                              "): every node needs at least one column");
  }
  const plan::SeedCheckResult r =
      plan::check_seed_layer(o, plan::balanced_split(o.d_ff, nodes), plan::balanced_split(o.d_model, nodes));
  char line[256];
  std::snprintf(line, sizeof line,
                "layer %lldx%lld, batch %lld, %d nodes, %d iterations, seed %llu\n"
                "sum of output: single machine %.8g, split %.8g\n"
                "largest relative error (Frobenius norm, over iterations): %.3e\n",
                static_cast<long long>(o.d_model), static_cast<long long>(o.d_ff), static_cast<long long>(o.batch),
                nodes, o.iterations, static_cast<unsigned long long>(o.seed), r.single_sum, r.sharded_sum,
                r.max_relative_error);
  out << line;
  // float32 accumulates rounding differently when the reduction is split; 1e-4 is far above that and far below
  // what a wrong split gives (order 1).
  const bool ok = r.max_relative_error < 1e-4;
  out << (ok ? "ok: the split layer matches the single-machine layer\n" : "FAIL: the split layer differs\n");
  return ok ? 0 : 1;
}

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
    if (args[0] == "run") return cmd_run(rest, out);
    if (args[0] == "check") return cmd_check(rest, out);
    if (args[0] == "verify") return cmd_verify(rest, out);
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
