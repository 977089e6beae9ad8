// The expert strategy in training (training_plan.hpp): one replica, laid out as the expert plan lays out inference
// (expert_plan.hpp): node 0 holds everything but the experts, expert e lives on node e mod N.
#include <random>
#include <string>

#include "shardsim/plan/expert_plan.hpp"
#include "shardsim/plan/training_plan.hpp"
#include "shardsim/util/concat.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/workload/training_cost.hpp"

namespace shardsim::plan {
namespace {


bool is_expert_op(const std::string& name) { return name.starts_with("mlp_"); }
bool is_host_op(const std::string& name) { return !is_expert_op(name); }  // node 0's: attention, router, ...
bool any_op(const std::string&) { return true; }

class ExpertStep {
 public:
  ExpertStep(const workload::TransformerSpec& spec, const workload::TrainingRun& run, std::int64_t batch,
             const PlanSpec& plan)
      : spec_(spec), run_(run), plan_(plan), random_(plan.seed) {
    const std::int64_t sequences = batch / plan.micro_batches;
    rows_ = sequences * run.seq_len;
    pass_ = workload::training_pass(spec, sequences, run.seq_len);
    dense_ = spec;
    dense_.experts = 1;
    dense_.experts_per_token = 1;
  }

  PlannedWorkload build() {
    PlannedWorkload out;
    for (int i = 0; i < plan_.nodes; ++i) out.nodes.push_back(i);
    // Micro-batches one after another (forward, then backward, each), as one replica without a pipeline runs them.
    std::vector<OpId> last;
    std::vector<std::vector<OpId>> expert_last(static_cast<std::size_t>(plan_.nodes));
    for (int j = 0; j < plan_.micro_batches; ++j) {
      // Each layer's routing, drawn once per micro-batch and used by its forward and its backward.
      std::vector<std::vector<std::int64_t>> routed;
      for (std::int64_t l = 0; l < spec_.layers; ++l) {
        routed.push_back(expert_rows(spec_, rows_, expert_owners(spec_, plan_.nodes, {}), plan_.routing, random_));
        for (std::int64_t e = 0; e < spec_.experts; ++e) {
          routed_rows_[static_cast<std::size_t>(e % plan_.nodes)] += routed.back()[static_cast<std::size_t>(e)];
        }
      }
      last = forward(j, routed, last);
      last = backward(j, routed, last);
    }
    // Each node updates what it holds.
    const workload::ParamCounts p = workload::param_counts(spec_);
    for (int n = 0; n < plan_.nodes; ++n) {
      std::vector<OpId> deps = last;
      const std::int64_t params = held(p, n);
      add(concat("optimizer", n), ComputeOp{n, workload::optimizer_step(run_.optimizer, params).work()}, deps,
          Phase::optimizer);
      RankFootprint fp;
      fp.params = params;
      const workload::TrainingState state = workload::training_state(run_.optimizer, params);
      fp.weights = state.weights;
      fp.gradients = state.gradients;
      fp.optimizer = state.optimizer;
      // Node 0 keeps every layer's activations but the experts' hidden ones; a node keeps, for the rows routed to
      // its experts in every layer and micro-batch, the input, the gate's and up's outputs and their product.
      const workload::ActivationMemory am =
          workload::activation_memory(spec_, rows_ / run_.seq_len, run_.seq_len, run_.recompute);
      const std::int64_t hidden = run_.recompute ? 0 : (spec_.d_model + 3 * spec_.d_ff);
      Bytes activations = hw::bytes_for(spec_.activation_format,
                                              routed_rows_[static_cast<std::size_t>(n)] * hidden);
      if (n == 0) activations += am.per_layer * (spec_.layers * plan_.micro_batches) + am.working + am.head;
      fp.activations = activations;
      out.footprint.push_back(fp);
    }
    out.graph.blocks.push_back(std::move(block_));
    return out;
  }

 private:
  std::int64_t held(const workload::ParamCounts& p, int n) const {
    std::int64_t params = spec_.layers * (spec_.experts / plan_.nodes) * p.mlp_per_expert();
    if (n == 0) {
      params += spec_.layers * (p.attention_per_layer() + p.router.total() + p.layer_norms) + p.token_embedding +
                p.position_embedding + p.final_norm + p.lm_head.total();
    }
    return params;
  }

  OpId add(std::string label, std::variant<ComputeOp, CollectiveOp> kind, std::vector<OpId> deps, Phase phase) {
    block_.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps), phase});
    return static_cast<OpId>(block_.ops.size() - 1);
  }

  OpId send(std::string label, int from, int to, Bytes bytes, std::vector<OpId> deps, Phase phase) {
    collective::CollectiveSpec c{collective::CollectiveKind::broadcast, collective::Algorithm::direct, 0,
                                 {bytes, Bytes{}}};
    return add(std::move(label), CollectiveOp{std::move(c), {from, to}}, std::move(deps), phase);
  }

  std::vector<OpId> chain(const std::string& prefix, int node, const std::vector<workload::OpCost>& ops,
                          std::vector<OpId> deps, Phase phase, bool (*keep)(const std::string&)) {
    for (const workload::OpCost& c : ops) {
      if (!keep(c.name)) continue;
      deps = {add(concat(prefix, c.name), ComputeOp{node, c.work()}, deps, phase)};
    }
    return deps;
  }

  // The experts of one layer, in one direction: each expert with routed rows gets them (a message unless it is on
  // node 0), runs `ops` of its rows' dense MLP, and sends its result back; node 0 waits for them all.
  std::vector<OpId> experts(const std::string& prefix, const std::vector<std::int64_t>& routed, bool forward,
                            const std::vector<OpId>& after) {
    std::vector<OpId> joined;
    const Phase phase = forward ? Phase::forward : Phase::backward;
    for (std::int64_t e = 0; e < spec_.experts; ++e) {
      const std::int64_t r = routed[static_cast<std::size_t>(e)];
      if (r == 0) continue;
      const int node = static_cast<int>(e % plan_.nodes);
      const Bytes bytes = hw::bytes_for(spec_.activation_format, r * spec_.d_model);
      const std::string name = concat(prefix, "expert", e, ".");
      std::vector<OpId> deps = after;
      // Forward: dispatch the rows, combine the outputs. Backward, mirrored: the outputs' gradient goes out, the
      // inputs' gradient comes back.
      if (node != 0) deps = {send(concat(name, forward ? "dispatch" : "combine.grad"), 0, node, bytes, deps, phase)};
      const workload::TrainingPass mlp = workload::training_pass(dense_, r, 1);
      deps = chain(name, node, forward ? mlp.forward.layer : mlp.backward.layer, deps, phase, is_expert_op);
      joined.push_back(node != 0 ? send(concat(name, forward ? "combine" : "dispatch.grad"), node, 0, bytes, deps, phase)
                                 : deps.back());
    }
    return joined;
  }

  std::vector<OpId> forward(int j, const std::vector<std::vector<std::int64_t>>& routed, std::vector<OpId> last) {
    const std::string mb = concat("mb", j, ".");
    last = chain(mb, 0, pass_.forward.pre, last, Phase::forward, any_op);
    for (std::int64_t l = 0; l < spec_.layers; ++l) {
      const std::string lp = concat(mb, "layer", l, ".");
      last = chain(lp, 0, pass_.forward.layer, last, Phase::forward, is_host_op);
      last = experts(lp, routed[static_cast<std::size_t>(l)], true, last);
    }
    return chain(mb, 0, pass_.forward.post, last, Phase::forward, any_op);
  }

  std::vector<OpId> backward(int j, const std::vector<std::vector<std::int64_t>>& routed, std::vector<OpId> last) {
    const std::string mb = concat("mb", j, ".grad.");
    last = chain(mb, 0, pass_.backward.pre, last, Phase::backward, any_op);
    for (std::int64_t l = spec_.layers - 1; l >= 0; --l) {
      const std::string lp = concat(mb, "layer", l, ".");
      if (run_.recompute) {
        // Node 0 re-runs the layer's attention and router; each expert re-runs its MLP on its rows.
        last = chain(concat(lp, "recompute."), 0, pass_.forward.layer, last, Phase::backward,
                     is_host_op);
        const std::size_t from = block_.ops.size();
        last = experts(concat(lp, "recompute."), routed[static_cast<std::size_t>(l)], true, last);
        for (std::size_t i = from; i < block_.ops.size(); ++i) block_.ops[i].phase = Phase::backward;
      }
      last = experts(lp, routed[static_cast<std::size_t>(l)], false, last);
      last = chain(lp, 0, pass_.backward.layer, last, Phase::backward, is_host_op);
    }
    return chain(mb, 0, pass_.backward.post, last, Phase::backward, any_op);
  }

  const workload::TransformerSpec& spec_;
  const workload::TrainingRun& run_;
  const PlanSpec& plan_;
  std::mt19937_64 random_;
  std::int64_t rows_ = 0;
  workload::TrainingPass pass_;
  workload::TransformerSpec dense_;
  std::vector<std::int64_t> routed_rows_ = std::vector<std::int64_t>(static_cast<std::size_t>(plan_.nodes), 0);
  plan::Block block_{"step", 1, {}};
};

}  // namespace

PlannedWorkload build_expert_training_plan(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                           std::int64_t batch, const PlanSpec& plan) {
  return ExpertStep(spec, run, batch, plan).build();
}

}  // namespace shardsim::plan
