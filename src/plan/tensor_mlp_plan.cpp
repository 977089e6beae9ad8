#include "shardsim/plan/tensor_mlp_plan.hpp"

#include <string>

#include "shardsim/plan/partition.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::plan {


PlannedWorkload build_tensor_mlp_plan(const workload::ModelSpec& model, std::int64_t batch, const PlanSpec& plan) {
  const int n = plan.nodes;
  require(n >= 1 && n <= model.d_ff, "tensor MLP plan: nodes out of range");
  require(batch >= 1, "tensor MLP plan: batch must be positive");
  const std::int64_t d = model.d_model;
  const std::int64_t v = workload::bytes_per_value(model.dtype);
  const Bytes row_block{batch * d * v};  // b x D values: the input, a partial output, the output

  PlannedWorkload out;
  // Balanced, or by plan.split's weights (largest remainder: every column on one node).
  const std::vector<Range> expand_cols =
      plan.rank_weights.empty() ? balanced_split(model.d_ff, n) : weighted_split(model.d_ff, plan.rank_weights);
  for (int i = 0; i < n; ++i) out.nodes.push_back(i);
  auto collective = [&](collective::CollectiveKind kind, std::vector<Bytes> pieces) {
    // Recursive doubling has no broadcast: the input then goes down a binomial tree.
    const collective::Algorithm algorithm =
        collective::supports(kind, plan.algorithm) ? plan.algorithm : collective::Algorithm::tree;
    collective::CollectiveSpec c{kind, algorithm, 0, std::move(pieces)};
    if (plan.algorithm == collective::Algorithm::hierarchical) c.groups = plan.groups;
    return CollectiveOp{std::move(c), out.nodes};
  };

  // The root's input reaches every machine once; from then on every machine holds each layer's output.
  plan::Block input{"input", 1, {}};
  std::vector<Bytes> x(static_cast<std::size_t>(n), Bytes{});
  x[0] = row_block;
  input.ops.push_back(Op{"broadcast", collective(collective::CollectiveKind::broadcast, x), {}});

  plan::Block layer{"layer", model.layers, {}};
  auto add = [&layer](std::string label, auto kind, std::vector<OpId> deps) {
    layer.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps)});
    return static_cast<OpId>(layer.ops.size() - 1);
  };
  std::vector<OpId> partials;
  for (std::int64_t e = 0; e < model.experts_per_token; ++e) {
    const std::string prefix = "expert" + std::to_string(e) + ".";
    for (int i = 0; i < n; ++i) {
      const std::int64_t w = expand_cols[static_cast<std::size_t>(i)].size;
      const hw::ComputeWork expand{Flop{2 * batch * d * w}, Bytes{(d * w + batch * d) * v}, Bytes{batch * w * v},
                                   Bytes{d * w * v}};
      const hw::ComputeWork reduce{Flop{2 * batch * w * d}, Bytes{(w * d + batch * w) * v}, row_block,
                                   Bytes{w * d * v}};
      const OpId a = add(prefix + "expand" + std::to_string(i), ComputeOp{i, expand}, {});
      partials.push_back(add(prefix + "reduce" + std::to_string(i), ComputeOp{i, reduce}, {a}));
    }
  }
  add("all_reduce", collective(collective::CollectiveKind::all_reduce,
                               std::vector<Bytes>(static_cast<std::size_t>(n), row_block)),
      partials);
  out.graph.blocks = {std::move(input), std::move(layer)};

  // Every machine holds its E_i columns of expand and rows of reduce, of every expert of every layer; live: the
  // input, the activation slices and the partial output of the active experts.
  for (int i = 0; i < n; ++i) {
    const std::int64_t w = expand_cols[static_cast<std::size_t>(i)].size;
    RankFootprint fp;
    fp.params = 2 * d * w * model.layers * model.experts;
    fp.weights = Bytes{fp.params * v};
    fp.activations = Bytes{batch * (d + (w + d) * model.experts_per_token) * v};
    out.footprint.push_back(fp);
  }
  return out;
}

}  // namespace shardsim::plan
