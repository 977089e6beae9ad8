#include "shardsim/plan/seed_plan.hpp"

#include <algorithm>
#include <string>

#include "shardsim/plan/partition.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::plan {


// Closed forms, with b = batch, D = d_model, F = d_ff, N = nodes, |E_i| and |R_i| the shard widths
// (sum |E_i| = F, sum |R_i| = D):
//   memory read = sum_i (D |E_i| + b D)   [expand shard + input x]
//               + sum_i (F |R_i| + b F)   [reduce shard + full activation]
//               = 2 D F + N b (D + F)
//   payload     = N b D  [x, to every machine, the root's own copy included]
//               + N b F  [full activation, on every machine]
//               + b D    [full output, on the root]
SeedLayerFigures seed_layer_figures(const workload::ModelSpec& model, std::int64_t batch, int nodes) {
  const std::int64_t d = model.d_model;
  const std::int64_t f = model.d_ff;
  const std::int64_t n = nodes;
  const std::vector<Range> e = balanced_split(f, nodes);
  const std::vector<Range> r = balanced_split(d, nodes);
  SeedLayerFigures out;
  out.total_params = 2 * d * f;
  for (int i = 0; i < nodes; ++i) {
    out.machine_params = std::max(out.machine_params, d * e[i].size + f * r[i].size);
  }
  out.fraction = static_cast<double>(out.machine_params) / static_cast<double>(out.total_params);
  out.internal_bandwidth_params = 2 * d * f + n * batch * (d + f);
  out.cross_machine_bandwidth_params = n * batch * d + n * batch * f + batch * d;
  return out;
}

PlannedWorkload build_seed_plan(const workload::ModelSpec& model, std::int64_t batch, const PlanSpec& spec) {
  const int n = spec.nodes;
  require(n >= 1 && n <= model.d_model && n <= model.d_ff, "seed plan: nodes out of range");
  require(batch >= 1, "seed plan: batch must be positive");
  const std::int64_t d = model.d_model;
  const std::int64_t f = model.d_ff;
  const std::int64_t v = workload::bytes_per_value(model.dtype);

  PlannedWorkload out;
  const std::vector<Range> expand_cols = balanced_split(f, n);  // E_i
  const std::vector<Range> reduce_cols = balanced_split(d, n);  // R_i
  for (int i = 0; i < n; ++i) out.nodes.push_back(i);

  plan::Block layer;
  layer.name = "layer";
  layer.repeat = model.layers;
  auto add = [&layer](std::string label, auto kind, std::vector<OpId> deps) {
    layer.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps)});
    return static_cast<OpId>(layer.ops.size() - 1);
  };
  auto collective = [&](collective::CollectiveKind kind, std::vector<Bytes> pieces) {
    collective::CollectiveSpec c{kind, spec.algorithm, 0, std::move(pieces)};
    if (spec.algorithm == collective::Algorithm::hierarchical) c.groups = spec.groups;
    return CollectiveOp{std::move(c), out.nodes};
  };

  for (std::int64_t x = 0; x < model.experts_per_token; ++x) {
    const std::string prefix = "expert" + std::to_string(x) + ".";
    std::vector<Bytes> input(static_cast<std::size_t>(n), Bytes{});
    input[0] = Bytes{batch * d * v};
    const OpId broadcast = add(prefix + "broadcast", collective(collective::CollectiveKind::broadcast, input), {});

    // Machine i multiplies the `in`-wide rows by its `cols[i]` columns of a matrix (after `dep`); its piece of the
    // output is batch x |cols[i]| values.
    auto shard_matmuls = [&](const std::string& name, const std::vector<Range>& cols, std::int64_t in, OpId dep,
                             std::vector<OpId>& ops, std::vector<Bytes>& pieces) {
      for (int i = 0; i < n; ++i) {
        const std::int64_t w = cols[i].size;
        const hw::ComputeWork work{Flop{2 * batch * in * w}, Bytes{(in * w + batch * in) * v}, Bytes{batch * w * v},
                                   Bytes{in * w * v}};
        ops.push_back(add(prefix + name + std::to_string(i), ComputeOp{i, work}, {dep}));
        pieces.push_back(Bytes{batch * w * v});
      }
    };
    std::vector<OpId> expands;
    std::vector<Bytes> activation_pieces;
    shard_matmuls("expand", expand_cols, d, broadcast, expands, activation_pieces);
    const OpId gather_act =
        add(prefix + "all_gather", collective(collective::CollectiveKind::all_gather, activation_pieces), expands);
    std::vector<OpId> reduces;
    std::vector<Bytes> output_pieces;
    shard_matmuls("reduce", reduce_cols, f, gather_act, reduces, output_pieces);
    add(prefix + "gather", collective(collective::CollectiveKind::gather, output_pieces), reduces);
  }
  out.graph.blocks.push_back(std::move(layer));

  // Every rank holds its shard of every expert of every layer; one layer's activations are live at a time.
  for (int i = 0; i < n; ++i) {
    RankFootprint fp;
    fp.params = (d * expand_cols[i].size + f * reduce_cols[i].size) * model.layers * model.experts;
    fp.weights = Bytes{fp.params * v};
    fp.activations = Bytes{batch * (d + f + reduce_cols[i].size) * v * model.experts_per_token};
    out.footprint.push_back(fp);
  }
  return out;
}

PlanFloor seed_plan_floor(const workload::ModelSpec& model, const PlanSpec& spec) {
  const double n = spec.nodes, e = static_cast<double>(model.experts_per_token);
  PlanFloor floor;
  floor.compute_ops = 2 * n * e;
  for (const collective::CollectiveKind kind : {collective::CollectiveKind::broadcast,
                                                collective::CollectiveKind::all_gather,
                                                collective::CollectiveKind::gather}) {
    floor.add(kind, spec.algorithm, n, e);
  }
  return floor;
}

}  // namespace shardsim::plan
