// The `pipeline` strategy as a unit (strategy.hpp): contiguous layer stages of tensor_degree nodes each, with
// micro-batches (pipeline_plan.hpp); in training, data_parallel replicas of such stages (training_plan.hpp).

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "shardsim/plan/partition.hpp"

#include "shardsim/plan/pipeline_plan.hpp"
#include "shardsim/plan/strategy.hpp"
#include "training_strategy.hpp"

namespace shardsim::plan {
namespace {

// plan.use: the nodes the plan runs on, by name, in rank order, each once; empty when absent.
std::vector<topo::NodeId> read_use(KeyReader& keys, const topo::Topology& topology) {
  const std::optional<std::vector<std::string>> names = keys.strings("use");
  if (!names) return {};
  if (names->empty()) keys.fail("use", "expected at least one node name");
  std::vector<topo::NodeId> out;
  for (const std::string& name : *names) {
    topo::NodeId found = -1;
    for (topo::NodeId n = 0; n < topology.node_count() && found < 0; ++n) {
      if (topology.node_name(n) == name) found = n;
    }
    if (found < 0) keys.fail("use", "'" + name + "' is not a compute node of the topology");
    if (std::find(out.begin(), out.end(), found) != out.end()) keys.fail("use", "'" + name + "' is named twice");
    out.push_back(found);
  }
  return out;
}

// plan.split: the layers of each stage, in proportion to "memory" (the smallest usable RAM of the stage's nodes:
// a stage's layers are cut evenly over its tensor group, so its smallest node limits it), "speed" (the smallest
// memory bandwidth of its nodes: decode streams every weight once, hardware.md §6, so a stage's time follows its
// bytes over its slowest node's bandwidth), or explicit weights "3,1,1" (one per stage, as llama.cpp's
// --tensor-split writes them). "even" (the default): balanced, returned as empty. Every layer is assigned to
// exactly one stage (weighted_split); a stage given no layer is refused.
std::vector<std::int64_t> read_split(KeyReader& keys, const topo::Topology& topology,
                                     const workload::TransformerSpec& model, const PlanSpec& spec) {
  const std::string split = keys.string("split").value_or("even");
  const int stages = spec.nodes / spec.tensor_degree;
  if (split == "even") return {};
  std::vector<double> weights;
  if (split == "memory" || split == "speed") {
    for (int s = 0; s < stages; ++s) {
      double least = 0;
      for (int r = 0; r < spec.tensor_degree; ++r) {
        const hw::NodeSpec& node = topology.node(node_of_rank(spec, s * spec.tensor_degree + r));
        const double w = split == "memory" ? static_cast<double>(node.usable_ram().count)
                                           : node.memory_bandwidth.per_second;
        least = r == 0 ? w : std::min(least, w);
      }
      weights.push_back(least);
    }
  } else {
    std::size_t start = 0;
    while (start <= split.size()) {
      const std::size_t comma = std::min(split.find(',', start), split.size());
      const std::string part = split.substr(start, comma - start);
      char* end = nullptr;
      const double w = std::strtod(part.c_str(), &end);
      if (part.empty() || end != part.c_str() + part.size() || !(w > 0) || !std::isfinite(w)) {
        keys.fail("split", "expected \"even\", \"memory\", \"speed\" or positive weights, one per stage, "
                           "as \"3,1\"; got '" + split + "'");
      }
      weights.push_back(w);
      start = comma + 1;
    }
    if (static_cast<int>(weights.size()) != stages) {
      keys.fail("split", std::to_string(weights.size()) + " weights for " + std::to_string(stages) + " stages");
    }
  }
  std::vector<std::int64_t> layers;
  bool balanced = true;
  const std::vector<Range> even = balanced_split(model.layers, stages);
  for (const Range& r : weighted_split(model.layers, weights)) {
    balanced = balanced && r.size == even[layers.size()].size;
    if (r.size == 0) {
      keys.fail("split", "stage " + std::to_string(layers.size()) + " would get no layer of " +
                             std::to_string(model.layers));
    }
    layers.push_back(r.size);
  }
  // Weights that give the balanced split (identical nodes) are the even plan: one spelling for one plan.
  if (balanced) layers.clear();
  return layers;
}

class PipelineStrategy final : public LayoutTrainingStrategy {
 public:
  std::string_view name() const override { return "pipeline"; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    if (!ctx.model.transformer) keys.fail("strategy", "the pipeline plan needs a [transformer] model");
    const workload::TransformerSpec& model = *ctx.model.transformer;
    spec.use = read_use(keys, ctx.topology);
    const std::int64_t topology_nodes = ctx.topology.node_count();
    const std::int64_t available = spec.use.empty() ? topology_nodes : static_cast<std::int64_t>(spec.use.size());
    spec.tensor_degree = static_cast<int>(integer_in(keys, "tensor_degree", 1, 1, available));
    // By default as many stages of tensor_degree nodes as the cluster (or plan.use) holds, at most one per layer.
    const std::int64_t stages = std::min<std::int64_t>(available / spec.tensor_degree, model.layers);
    if (spec.use.empty()) {
      spec.nodes = read_nodes(keys, stages * spec.tensor_degree, available, available);
    } else {
      spec.nodes = read_nodes(keys, available, available, topology_nodes, "the nodes plan.use names");
      if (spec.nodes != available) {
        keys.fail("nodes", "plan.use names " + std::to_string(available) + " nodes, plan.nodes says " +
                               std::to_string(spec.nodes));
      }
    }
    spec.micro_batches = static_cast<int>(integer_in(keys, "micro_batches", 1, 1, 4096));
    if (std::optional<Problem> problem =
            pipeline_plan_problem(model, spec.nodes, spec.tensor_degree, ctx.run.batch, spec.micro_batches)) {
      fail_at(keys, *problem, "nodes");
    }
    spec.stage_layers = read_split(keys, ctx.topology, model, spec);
  }

  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& spec,
                        std::int64_t) const override {
    return build_pipeline_plan(*model.transformer, pass, spec);
  }

  void read_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    read_layout_training(keys, ctx, spec, TensorDegree::from_key, false);
  }

  // Stages of one node have no collective; tensor groups all-reduce twice per layer and gather the logits.
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec& spec,
                                                      bool training) const override {
    using collective::CollectiveKind;
    if (training) return training_collectives();
    if (spec.tensor_degree == 1) return {};
    return {CollectiveKind::all_reduce, CollectiveKind::gather};
  }

  std::string describe(const Model&, const PlanSpec& spec, const workload::RunOptions& run) const override {
    if (run.training) return describe_layout_training(spec);
    std::string out = "pipeline of " + std::to_string(spec.nodes / spec.tensor_degree) + " stages";
    if (spec.tensor_degree > 1) {
      out += " of " + std::to_string(spec.tensor_degree) + " tensor-parallel nodes (" +
             std::string(collective::to_string(spec.algorithm)) + " collectives)";
    }
    if (!spec.stage_layers.empty()) {
      out += ", layers per stage";
      for (std::size_t s = 0; s < spec.stage_layers.size(); ++s) {
        out.append(s ? "/" : " ").append(std::to_string(spec.stage_layers[s]));
      }
    }
    return out + ", " + std::to_string(spec.micro_batches) + " micro-batches, batch " + std::to_string(run.batch) +
           ", context " + std::to_string(run.context) + " tokens";
  }
};

}  // namespace

const Strategy& pipeline_strategy() {
  static const PipelineStrategy unit;
  return unit;
}

}  // namespace shardsim::plan
