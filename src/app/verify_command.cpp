#include "shardsim/app/commands.hpp"

#include <cstdio>

#include "shardsim/plan/partition.hpp"
#include "shardsim/plan/seed_check.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

int verify_command(const std::vector<std::string>& args, std::ostream& out) {
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
  Parsed p = parse_options(args, options, {});
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

}  // namespace shardsim::app
