#include "shardsim/app/commands.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "shardsim/app/command_options.hpp"
#include "shardsim/plan/partition.hpp"
#include "shardsim/plan/tensor_split.hpp"
#include "shardsim/verify/seed_check.hpp"
#include "shardsim/verify/tensor_check.hpp"
#include "shardsim/verify/training_check.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace po = boost::program_options;
namespace {

// The default of --tolerance: float32 accumulates rounding differently when a reduction is split (errors of
// order 1e-6 here); 1e-4 is far above that and far below what a wrong split gives (order 1e-2 to 1).
constexpr double kTolerance = 1e-4;

int report(std::ostream& out, const std::string& header, double single_sum, double sharded_sum, double error,
           double tolerance) {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s\nsum of output: single machine %.8g, split %.8g\n"
                "largest relative error (Frobenius norm, over iterations): %.3e\n",
                header.c_str(), single_sum, sharded_sum, error);
  out << line;
  const bool ok = error < tolerance;
  out << (ok ? "ok: the split layer matches the single-machine layer\n" : "FAIL: the split layer differs\n");
  return ok ? 0 : 1;
}

// The decoder layer's shape as --d-model, --d-ff, --heads, --kv-heads and --head-dim give it, over the defaults
// already in `layer` (a TensorCheckOptions or a TrainingCheckOptions).
template <class Layer>
void read_layer_shape(const CommandOptions& cli, Layer& layer) {
  layer.d_model = cli.value_or<std::int64_t>("d-model", layer.d_model);
  layer.d_ff = cli.value_or<std::int64_t>("d-ff", layer.d_ff);
  layer.heads = cli.value_or<std::int64_t>("heads", layer.heads);
  layer.kv_heads = cli.value_or<std::int64_t>("kv-heads", layer.kv_heads);
  layer.head_dim = cli.value_or<std::int64_t>("head-dim", layer.head_dim);
}

int verify_seed(const CommandOptions& cli, int nodes, double tolerance, std::ostream& out) {
  verify::SeedCheckOptions o;
  o.d_model = cli.value_or<std::int64_t>("d-model", 512);
  o.d_ff = cli.value_or<std::int64_t>("d-ff", 2048);
  o.batch = cli.value_or<std::int64_t>("batch", 6);
  o.iterations = cli.value_or<int>("iterations", 10);
  o.seed = cli.value<std::uint64_t>("seed");
  if (o.d_model < 1 || o.d_ff < 1 || o.batch < 1 || o.iterations < 1) {
    throw command_line_error("--d-model, --d-ff, --batch and --iterations must be positive");
  }
  if (o.d_model > 16384 || o.d_ff > 65536 || o.batch > 4096) {
    throw command_line_error("verify is for small layers: at most --d-model 16384, --d-ff 65536, --batch 4096");
  }
  if (nodes < 1 || nodes > o.d_model) {
    throw command_line_error("--nodes must be between 1 and d_model (" + std::to_string(o.d_model) +
                             "): every node needs at least one column");
  }
  const verify::SeedCheckResult r =
      verify::check_seed_layer(o, plan::balanced_split(o.d_ff, nodes), plan::balanced_split(o.d_model, nodes));
  char header[256];
  std::snprintf(header, sizeof header, "seed plan: layer %lldx%lld, batch %lld, %d nodes, %d iterations, seed %llu",
                static_cast<long long>(o.d_model), static_cast<long long>(o.d_ff), static_cast<long long>(o.batch),
                nodes, o.iterations, static_cast<unsigned long long>(o.seed));
  return report(out, header, r.single_sum, r.sharded_sum, r.max_relative_error, tolerance);
}

int verify_tensor(const CommandOptions& cli, int degree, double tolerance, std::ostream& out) {
  verify::TensorCheckOptions o;
  read_layer_shape(cli, o);
  o.seq = cli.value_or<std::int64_t>("batch", o.seq);
  o.iterations = cli.value_or<int>("iterations", o.iterations);
  o.seed = cli.value<std::uint64_t>("seed");
  if (cli.has("split")) {
    const std::optional<std::vector<double>> weights = plan::parse_weights(cli.text("split"));
    if (!weights) throw command_line_error("--split: expected positive weights, one per rank, as 3,1,1");
    o.split = *weights;
  }
  if (o.d_model > 8192 || o.d_ff > 32768 || o.seq > 1024 || o.heads * o.head_dim > 8192) {
    throw command_line_error(
        "verify is for small layers: at most --d-model 8192, --d-ff 32768, --batch 1024 tokens, "
        "--heads x --head-dim 8192");
  }
  if (const std::string problem = verify::tensor_degree_problem(o, degree); !problem.empty()) {
    throw command_line_error("--nodes: " + problem);
  }
  const verify::TensorCheckResult r = verify::check_tensor_layer(o, degree);
  char header[320];
  std::snprintf(header, sizeof header,
                "tensor plan: decoder layer d_model %lld, %lld heads (%lld KV heads) of %lld, SwiGLU d_ff %lld, "
                "%lld tokens, %d-way, %d iterations, seed %llu",
                static_cast<long long>(o.d_model), static_cast<long long>(o.heads),
                static_cast<long long>(o.kv_heads), static_cast<long long>(o.head_dim),
                static_cast<long long>(o.d_ff), static_cast<long long>(o.seq), degree, o.iterations,
                static_cast<unsigned long long>(o.seed));
  std::string title = header;
  if (!o.split.empty()) {
    // What each rank holds: the plan's uneven split of these heads and columns.
    const plan::TensorSplit split =
        *plan::uneven_tensor_split(plan::TensorExtents{o.heads, o.kv_heads, o.d_ff, o.d_ff}, o.split).split;
    title += "\nsplit " + cli.text("split") + ": query heads per rank";
    for (std::size_t i = 0; i < split.heads.size(); ++i) title.append(i ? "/" : " ").append(std::to_string(split.heads[i].size));
    title += ", d_ff columns per rank";
    for (std::size_t i = 0; i < split.ff.size(); ++i) title.append(i ? "/" : " ").append(std::to_string(split.ff[i].size));
  }
  return report(out, title, r.single_sum, r.sharded_sum, r.max_relative_error, tolerance);
}

// One training step's gradients: the layer of the tensor plan split over `degree` ranks x --replicas.
int verify_training(const CommandOptions& cli, int degree, double tolerance, std::ostream& out) {
  if (cli.has("iterations")) throw command_line_error("--iterations: --training checks one step, not iterations");
  verify::TrainingCheckOptions o;
  read_layer_shape(cli, o);
  o.batch = cli.value_or<std::int64_t>("batch", o.batch);
  o.seq = cli.value_or<std::int64_t>("tokens", o.seq);
  o.seed = cli.value<std::uint64_t>("seed");
  const int replicas = cli.value_or<int>("replicas", 2);
  if (o.d_model < 1 || o.d_ff < 1 || o.batch < 1 || o.seq < 1 || o.heads < 1 || o.kv_heads < 1 || o.head_dim < 1) {
    throw command_line_error(
        "--d-model, --d-ff, --batch, --tokens, --heads, --kv-heads and --head-dim must be positive");
  }
  // The finite differences run the whole batch forward twice per sampled entry (50 by default).
  if (o.d_model > 4096 || o.d_ff > 16384 || o.batch > 1024 || o.seq > 1024 || o.batch * o.seq > 1024 ||
      o.heads * o.head_dim > 4096) {
    throw command_line_error(
        "verify --training is for small layers: at most --d-model 4096, --d-ff 16384, --batch x "
        "--tokens 1024 tokens, --heads x --head-dim 4096");
  }
  if (const std::string problem = verify::training_degree_problem(o, degree, 1); !problem.empty()) {
    throw command_line_error("--nodes: " + problem);
  }
  if (const std::string problem = verify::training_degree_problem(o, degree, replicas); !problem.empty()) {
    throw command_line_error("--replicas: " + problem);
  }
  const verify::TrainingCheckResult r = verify::check_training_step(o, degree, replicas);
  verify::TrainingTolerance bound;
  bound.float32 = tolerance;

  char line[512];
  std::snprintf(line, sizeof line,
                "training step: decoder layer d_model %lld, %lld heads (%lld KV heads) of %lld, SwiGLU d_ff %lld, "
                "%lld sequences of %lld tokens, %d-way tensor x %d data-parallel replicas, seed %llu\n"
                "loss L = sum(y .* G) = %.8g\n"
                "relative error of each gradient of L: the split's against the single machine's (Frobenius norm) in\n"
                "float32 and float64, and the single machine's against central finite differences (float64, %d "
                "entries\nper tensor, step 1e-6 relative: |fd - g| / max(|g|, rms of the gradient))\n",
                static_cast<long long>(o.d_model), static_cast<long long>(o.heads),
                static_cast<long long>(o.kv_heads), static_cast<long long>(o.head_dim),
                static_cast<long long>(o.d_ff), static_cast<long long>(o.batch), static_cast<long long>(o.seq),
                degree, replicas, static_cast<unsigned long long>(o.seed), r.loss, o.finite_difference_samples);
  out << line;
  const auto row = [&](const char* name, double a, double b, double c) {
    std::snprintf(line, sizeof line, "  %-10s %11.3e %11.3e %13.3e\n", name, a, b, c);
    out << line;
  };
  std::snprintf(line, sizeof line, "  %-10s %11s %11s %13s\n", "tensor", "float32", "float64", "finite diff.");
  out << line;
  for (const verify::GradientError& e : r.tensors) {
    row(e.tensor.c_str(), e.float_error, e.double_error, e.finite_difference_error);
  }
  row("largest", r.max_float_error, r.max_double_error, r.max_finite_difference_error);
  row("tolerance", bound.float32, bound.float64, bound.finite_difference);

  const bool split_ok = r.max_float_error < bound.float32 && r.max_double_error < bound.float64;
  const bool hand_ok = r.max_finite_difference_error < bound.finite_difference;
  if (split_ok && hand_ok) {
    out << "ok: the split gradients match the single machine's, which match finite differences\n";
    return 0;
  }
  std::string fail = "FAIL:";
  if (!split_ok) fail += " the split gradients differ from the single machine's;";
  if (!hand_ok) fail += " the single machine's gradients disagree with finite differences;";
  fail.back() = '\n';
  out << fail;
  return 1;
}

}  // namespace

int verify_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim verify [--plan seed|tensor] [--training] [options]

Runs a plan's split of a layer machine by machine with Eigen (float32, seeded random weights), iterated, and
compares it with the unsplit layer.
  seed:   y = relu(x @ expand) @ reduce split as the seed notebook splits it (defaults 512 x 2048, batch 6,
          10 iterations); uneven splits are balanced.
  tensor: a pre-norm decoder layer (grouped-query attention, SwiGLU MLP) split Megatron-style over --nodes
          ranks: heads and d_ff columns per rank, an all-reduce after attention and after the MLP (defaults
          d_model 256, 8 heads, 2 KV heads of 32, d_ff 688, 5 tokens, 3 iterations); --split 3,1
          splits heads and columns unevenly, as the tensor plan's plan.split does.
  --training: one training step of the tensor plan's layer (defaults d_model 64, 8 heads, 2 KV heads of 8,
          d_ff 176, 6 sequences of 5 tokens): its hand-written backward pass, checked against finite
          differences, then split over --nodes ranks x --replicas data-parallel replicas (default 2), in float
          and in double, and the gradients compared with the single machine's.
example: shardsim verify --nodes 256
example: shardsim verify --plan tensor --nodes 4
example: shardsim verify --plan tensor --nodes 3 --split 3,2,1
example: shardsim verify --training --nodes 8 --replicas 3

options)");
  options.add()("plan", po::value<std::string>()->default_value("seed"), "seed or tensor")(
      "training", po::bool_switch(), "check a training step's gradients (the tensor plan's layer)")(
      "d-model", po::value<std::int64_t>(), "embedding width")("d-ff", po::value<std::int64_t>(), "hidden width")(
      "batch", po::value<std::int64_t>(), "rows of the input (tensor: tokens; training: sequences)")(
      "tokens", po::value<std::int64_t>(), "training: tokens per sequence")(
      "heads", po::value<std::int64_t>(), "tensor: attention heads")(
      "kv-heads", po::value<std::int64_t>(), "tensor: key/value heads")(
      "head-dim", po::value<std::int64_t>(), "tensor: width of a head")(
      "split", po::value<std::string>(), "tensor: weights of an uneven split, one per rank (3,2,1)")(
      "nodes", po::value<int>()->default_value(4), "machines (tensor: ranks) the layer is split across")(
      "replicas", po::value<int>(), "training: data-parallel replicas, each split over --nodes ranks")(
      "iterations", po::value<int>(), "times the layer is applied")(
      "seed", po::value<std::uint64_t>()->default_value(30), "random seed")(
      "tolerance", po::value<double>()->default_value(kTolerance),
      "largest relative error accepted (float32; training: float64 1e-10 and finite differences 1e-6 are fixed)");
  if (!options.parse(args, out)) return 0;

  const std::string plan = options.text("plan");
  const int nodes = options.value<int>("nodes");
  const double tolerance = options.value<double>("tolerance");
  if (!(tolerance > 0.0) || !std::isfinite(tolerance)) throw command_line_error("--tolerance must be positive");
  if (options.has("split") && (plan != "tensor" || options.value<bool>("training"))) {
    throw command_line_error("--split applies to --plan tensor only (not its training check)");
  }
  if (options.value<bool>("training")) {
    if (!options.defaulted("plan") && plan != "tensor") {
      throw command_line_error("--plan: --training checks the tensor plan's layer, not --plan " + plan);
    }
    return verify_training(options, nodes, tolerance, out);
  }
  if (options.has("replicas") || options.has("tokens")) {
    throw command_line_error("--replicas and --tokens apply to --training only");
  }
  if (plan == "seed") return verify_seed(options, nodes, tolerance, out);
  if (plan == "tensor") return verify_tensor(options, nodes, tolerance, out);
  throw command_line_error("--plan: expected seed or tensor, got '" + plan + "'");
}

}  // namespace shardsim::app
