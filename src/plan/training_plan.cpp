#include "shardsim/plan/training_plan.hpp"

#include <algorithm>
#include <string>

#include "shardsim/plan/expert_plan.hpp"
#include "shardsim/plan/pipeline_plan.hpp"
#include "shardsim/plan/tensor_group.hpp"
#include "shardsim/plan/tensor_plan.hpp"
#include "shardsim/util/concat.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/workload/training_cost.hpp"

namespace shardsim::plan {
namespace {

using Ranks = std::vector<OpId>;  // per rank of a group, an op


bool is_mlp_grad(const std::string& name) {
  return name.starts_with("mlp_") || name.starts_with("router");
}

// Builds the step: a single block, ops appended in an order where every dependency comes first.
class StepBuilder {
 public:
  StepBuilder(const workload::TransformerSpec& spec, const workload::TrainingRun& run, std::int64_t batch,
              const PlanSpec& plan)
      : spec_(spec), run_(run), plan_(plan), layout_(training_layout(plan)) {
    const std::int64_t per_replica = batch / layout_.replicas;
    micro_sequences_ = per_replica / plan.micro_batches;
    pass_ = workload::training_pass(spec, micro_sequences_, run.seq_len);
    shape_ = workload::PassShape{workload::PassKind::prefill, micro_sequences_, run.seq_len};
    rows_ = micro_sequences_ * run.seq_len;
    activation_ = hw::bytes_for(spec.activation_format, rows_ * spec.d_model);
    const int r = layout_.stages * layout_.tensor;
    for (int d = 0; d < layout_.replicas; ++d) {
      auto& stages = groups_.emplace_back();
      for (int s = 0; s < layout_.stages; ++s) {
        TensorGroup g;
        g.algorithm = plan.algorithm;
        for (int t = 0; t < layout_.tensor; ++t) {
          const int node = d * r + s * layout_.tensor + t;
          g.nodes.push_back(node);
          if (!plan.groups.empty()) g.groups.push_back(plan.groups[static_cast<std::size_t>(node)]);
        }
        stages.push_back(std::move(g));
      }
    }
  }

  PlannedWorkload build() {
    PlannedWorkload out;
    for (int i = 0; i < plan_.nodes; ++i) out.nodes.push_back(i);
    run_passes();
    synchronise_and_update();
    out.graph.blocks.push_back(std::move(block_));
    footprints(out);
    return out;
  }

 private:
  // What happened on one stage of one replica, per rank: the last op (the stage's serial order), and per
  // micro-batch where its forward output and backward input-gradient are.
  struct StageState {
    Ranks last;
    std::vector<Ranks> forward_out, backward_out;
    // Per layer of the stage (and the head, the embedding), where the last micro-batch completed its gradient.
    std::vector<Ranks> layer_grads;
    Ranks head_grads, embed_grads;
  };

  OpId add(std::string label, std::variant<ComputeOp, CollectiveOp> kind, std::vector<OpId> deps, Phase phase) {
    block_.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps), phase});
    return static_cast<OpId>(block_.ops.size() - 1);
  }

  // Sets the phase of every op appended since `from`.
  void tag(std::size_t from, Phase phase) {
    for (std::size_t i = from; i < block_.ops.size(); ++i) block_.ops[i].phase = phase;
  }

  CollectiveOp collective(const TensorGroup& g, collective::CollectiveKind kind, std::vector<Bytes> pieces) const {
    collective::CollectiveSpec c{kind, g.algorithm, 0, std::move(pieces)};
    if (g.algorithm == collective::Algorithm::hierarchical) c.groups = g.groups;
    return CollectiveOp{std::move(c), g.nodes};
  }

  // An all-reduce of `bytes` over the group after each rank's `done`; nothing with one rank.
  Ranks all_reduce(const std::string& label, const TensorGroup& g, Bytes bytes, const Ranks& done, Phase phase) {
    if (g.degree() == 1) return done;
    const OpId id = add(label,
                        collective(g, collective::CollectiveKind::all_reduce,
                                   std::vector<Bytes>(static_cast<std::size_t>(g.degree()), bytes)),
                        done, phase);
    return Ranks(done.size(), id);
  }

  // Each rank of the group runs its share of `ops` in order, after `after[r]`.
  Ranks run_ops(const std::string& prefix, const TensorGroup& g, const std::vector<workload::OpCost>& ops,
                const std::vector<Ranks>& after, Phase phase, bool replicated = false) {
    Ranks last;
    const std::int64_t t = g.degree();
    for (std::int64_t r = 0; r < t; ++r) {
      std::vector<OpId> deps = after[static_cast<std::size_t>(r)];
      for (const workload::OpCost& c : ops) {
        std::string label = prefix;
        label += c.name;
        label += std::to_string(r);
        const hw::ComputeWork w = replicated ? c.work() : tensor_share(spec_, c, t, r);
        deps = {add(std::move(label), ComputeOp{g.nodes[static_cast<std::size_t>(r)], w}, deps, phase)};
      }
      last.push_back(deps.back());
    }
    return last;
  }

  static std::vector<Ranks> wrap(const Ranks& ids) {
    std::vector<Ranks> out;
    for (OpId id : ids) out.push_back({id});
    return out;
  }

  // One message of a micro-batch's activations (or their gradients) between two nodes.
  OpId send(std::string label, plan::NodeId from, plan::NodeId to, std::vector<OpId> deps, Phase phase) {
    collective::CollectiveSpec c{collective::CollectiveKind::broadcast, collective::Algorithm::direct, 0,
                                 {activation_, Bytes{}}};
    return add(std::move(label), CollectiveOp{std::move(c), {from, to}}, std::move(deps), phase);
  }

  // Per replica, per rank: what the next op waits for.
  using After = std::vector<std::vector<Ranks>>;

  StageState& state(int d, int s) { return states_[static_cast<std::size_t>(d)][static_cast<std::size_t>(s)]; }
  const TensorGroup& group(int d, int s) const {
    return groups_[static_cast<std::size_t>(d)][static_cast<std::size_t>(s)];
  }

  // ZeRO 3: before layer l runs (forward or backward), each rank gathers the layer's weights from its replicas:
  // an all-gather of every replica's 1/D share over the group of replicas, added to what the layer waits for.
  // The gather itself waits only for `ready` (what the layer before l waited for: one layer of prefetch, as
  // DeepSpeed's ZeRO 3 fetches the next layer's parameters while the current one computes). Built for all
  // replicas at once, which is why the passes are built replica-innermost.
  void zero3_gather(int s, std::int64_t l, const After& ready, After& after, const std::string& what) {
    if (plan_.zero < 3 || layout_.replicas == 1) return;
    for (int r = 0; r < layout_.tensor; ++r) {
      std::vector<Bytes> shards;
      std::vector<OpId> deps;
      for (int d = 0; d < layout_.replicas; ++d) {
        shards.push_back(hw::bytes_for(spec_.weight_format,
                                             workload::balanced_share(layer_params(r), layout_.replicas, d)));
        for (OpId id : ready[static_cast<std::size_t>(d)][static_cast<std::size_t>(r)]) deps.push_back(id);
      }
      const OpId id = add(concat(what, "layer", l, ".gather_weights", r),
                          collective(replica_group(s, r), collective::CollectiveKind::all_gather, shards), deps,
                          Phase::gradient_sync);
      for (int d = 0; d < layout_.replicas; ++d) after[static_cast<std::size_t>(d)][static_cast<std::size_t>(r)].push_back(id);
    }
  }

  // The nodes holding rank r of stage s in every replica.
  TensorGroup replica_group(int s, int r) const {
    TensorGroup g;
    g.algorithm = plan_.algorithm;
    for (int d = 0; d < layout_.replicas; ++d) {
      const plan::NodeId node = group(d, s).nodes[static_cast<std::size_t>(r)];
      g.nodes.push_back(node);
      if (!plan_.groups.empty()) g.groups.push_back(plan_.groups[static_cast<std::size_t>(node)]);
    }
    return g;
  }

  std::string unit_prefix(int j, bool grad) const {
    std::string p = "mb";
    p += std::to_string(j);
    p += grad ? ".grad." : ".";
    return p;
  }

  // F(j, s) on every replica.
  void forward(int j, int s) {
    After after(static_cast<std::size_t>(layout_.replicas), std::vector<Ranks>(static_cast<std::size_t>(layout_.tensor)));
    std::vector<Ranks> last(static_cast<std::size_t>(layout_.replicas));
    const std::string prefix = unit_prefix(j, false);
    for (int d = 0; d < layout_.replicas; ++d) {
      const TensorGroup& g = group(d, s);
      const std::string rp = concat("r", d, ".", prefix);
      auto& a = after[static_cast<std::size_t>(d)];
      for (int r = 0; r < layout_.tensor; ++r) {
        auto& deps = a[static_cast<std::size_t>(r)];
        if (!state(d, s).last.empty()) deps.push_back(state(d, s).last[static_cast<std::size_t>(r)]);
        if (s > 0) {
          deps.push_back(send(concat(rp, "activations", s, ".", r),
                              group(d, s - 1).nodes[static_cast<std::size_t>(r)], g.nodes[static_cast<std::size_t>(r)],
                              {state(d, s - 1).forward_out[static_cast<std::size_t>(j)][static_cast<std::size_t>(r)]},
                              Phase::forward));
        }
      }
      if (s == 0) {
        // Every rank embeds its rows (the lookup is replicated, not split).
        a = wrap(run_ops(rp, g, pass_.forward.pre, a, Phase::forward, true));
      }
    }
    After ready = after;  // what the previous layer waited for: when layer l's weights may be fetched
    for (std::int64_t l = first_layer(spec_.layers, layout_.stages, s);
         l < first_layer(spec_.layers, layout_.stages, s + 1); ++l) {
      const After waits = after;
      zero3_gather(s, l, ready, after, prefix);
      ready = waits;
      for (int d = 0; d < layout_.replicas; ++d) {
        const std::string lp = concat("r", d, ".", prefix, "layer", l, ".");
        last[static_cast<std::size_t>(d)] = append_tensor_layer(block_, lp, spec_, shape_, pass_.forward.layer,
                                                                group(d, s), after[static_cast<std::size_t>(d)]);
        after[static_cast<std::size_t>(d)] = wrap(last[static_cast<std::size_t>(d)]);
      }
    }
    for (int d = 0; d < layout_.replicas; ++d) {
      const TensorGroup& g = group(d, s);
      const std::string rp = concat("r", d, ".", prefix);
      Ranks out = last[static_cast<std::size_t>(d)];
      if (s == layout_.stages - 1) {
        // LM head and loss split by vocabulary; the rows' softmax statistics (max and sum, fp32) all-reduced.
        out = run_ops(rp, g, pass_.forward.post, after[static_cast<std::size_t>(d)], Phase::forward);
        out = all_reduce(concat(rp, "loss_all_reduce"), g, Bytes{rows_ * 2 * 4}, out, Phase::forward);
      }
      state(d, s).last = out;
      state(d, s).forward_out[static_cast<std::size_t>(j)] = out;
    }
  }

  // B(j, s) on every replica.
  void backward(int j, int s) {
    After after(static_cast<std::size_t>(layout_.replicas), std::vector<Ranks>(static_cast<std::size_t>(layout_.tensor)));
    const std::string prefix = unit_prefix(j, true);
    const bool final_micro = j == plan_.micro_batches - 1;
    for (int d = 0; d < layout_.replicas; ++d) {
      const TensorGroup& g = group(d, s);
      const std::string rp = concat("r", d, ".", prefix);
      auto& a = after[static_cast<std::size_t>(d)];
      for (int r = 0; r < layout_.tensor; ++r) {
        auto& deps = a[static_cast<std::size_t>(r)];
        deps.push_back(state(d, s).last[static_cast<std::size_t>(r)]);
        if (s < layout_.stages - 1) {
          deps.push_back(send(concat(rp, "gradients", s, ".", r),
                              group(d, s + 1).nodes[static_cast<std::size_t>(r)], g.nodes[static_cast<std::size_t>(r)],
                              {state(d, s + 1).backward_out[static_cast<std::size_t>(j)][static_cast<std::size_t>(r)]},
                              Phase::backward));
        }
      }
      if (s == layout_.stages - 1) {
        Ranks done = run_ops(rp, g, pass_.backward.pre, a, Phase::backward);
        if (final_micro) state(d, s).head_grads = done;
        a = wrap(all_reduce(concat(rp, "head_all_reduce"), g, activation_, done, Phase::backward));
      }
    }
    std::vector<workload::OpCost> mlp, attention;
    for (const workload::OpCost& c : pass_.backward.layer) (is_mlp_grad(c.name) ? mlp : attention).push_back(c);
    const std::int64_t first = first_layer(spec_.layers, layout_.stages, s);
    After ready = after;
    for (std::int64_t l = first_layer(spec_.layers, layout_.stages, s + 1) - 1; l >= first; --l) {
      const After waits = after;
      zero3_gather(s, l, ready, after, prefix);
      ready = waits;
      for (int d = 0; d < layout_.replicas; ++d) {
        const TensorGroup& g = group(d, s);
        const std::string lp = concat("r", d, ".", prefix, "layer", l, ".");
        auto& a = after[static_cast<std::size_t>(d)];
        if (run_.recompute) {
          const std::size_t from = block_.ops.size();
          a = wrap(append_tensor_layer(block_, concat(lp, "recompute."), spec_, shape_, pass_.forward.layer, g, a));
          tag(from, Phase::backward);
        }
        // MLP gradients, the all-reduce of its input's gradient, attention gradients, the same again.
        Ranks done = run_ops(lp, g, mlp, a, Phase::backward);
        done = all_reduce(concat(lp, "mlp_all_reduce"), g, activation_, done, Phase::backward);
        done = run_ops(lp, g, attention, wrap(done), Phase::backward);
        if (final_micro) state(d, s).layer_grads[static_cast<std::size_t>(l - first)] = done;
        a = wrap(all_reduce(concat(lp, "attention_all_reduce"), g, activation_, done, Phase::backward));
      }
    }
    for (int d = 0; d < layout_.replicas; ++d) {
      const TensorGroup& g = group(d, s);
      auto& a = after[static_cast<std::size_t>(d)];
      Ranks out;
      for (const Ranks& deps : a) out.push_back(deps.back());
      if (s == 0) {
        out = run_ops(concat("r", d, ".", prefix), g, pass_.backward.post, a, Phase::backward, true);
        if (final_micro) state(d, s).embed_grads = out;
      }
      state(d, s).last = out;
      state(d, s).backward_out[static_cast<std::size_t>(j)] = out;
    }
  }

  // The forward and backward passes of every replica, in the schedule's order on each stage; a stage's next unit
  // is built once the unit it receives from (the previous stage's F, the next stage's B) has been.
  void run_passes() {
    const int stages = layout_.stages;
    const int m = plan_.micro_batches;
    states_.assign(static_cast<std::size_t>(layout_.replicas), std::vector<StageState>(static_cast<std::size_t>(stages)));
    std::vector<std::vector<std::pair<bool, int>>> order(static_cast<std::size_t>(stages));  // (forward?, j)
    for (int s = 0; s < stages; ++s) {
      auto& o = order[static_cast<std::size_t>(s)];
      if (plan_.schedule == Schedule::gpipe) {
        for (int j = 0; j < m; ++j) o.push_back({true, j});
        for (int j = 0; j < m; ++j) o.push_back({false, j});
      } else {
        const int warmup = std::min(stages - s - 1, m);
        for (int j = 0; j < warmup; ++j) o.push_back({true, j});
        for (int i = 0; i < m - warmup; ++i) {
          o.push_back({true, warmup + i});
          o.push_back({false, i});
        }
        for (int j = m - warmup; j < m; ++j) o.push_back({false, j});
      }
      for (int d = 0; d < layout_.replicas; ++d) {
        StageState& st = state(d, s);
        st.forward_out.resize(static_cast<std::size_t>(m));
        st.backward_out.resize(static_cast<std::size_t>(m));
        st.layer_grads.resize(static_cast<std::size_t>(first_layer(spec_.layers, stages, s + 1) -
                                                       first_layer(spec_.layers, stages, s)));
      }
    }
    std::vector<std::size_t> next(static_cast<std::size_t>(stages), 0);
    std::size_t remaining = static_cast<std::size_t>(stages) * 2 * static_cast<std::size_t>(m);
    while (remaining > 0) {
      bool progress = false;
      for (int s = 0; s < stages; ++s) {
        auto& i = next[static_cast<std::size_t>(s)];
        const auto& o = order[static_cast<std::size_t>(s)];
        if (i == o.size()) continue;
        const auto [is_forward, j] = o[i];
        const bool ready =
            is_forward ? (s == 0 || !state(0, s - 1).forward_out[static_cast<std::size_t>(j)].empty())
                       : (s == stages - 1 || !state(0, s + 1).backward_out[static_cast<std::size_t>(j)].empty());
        if (!ready) continue;
        if (is_forward) {
          forward(j, s);
        } else {
          backward(j, s);
        }
        ++i;
        --remaining;
        progress = true;
      }
      require(progress, "training plan: the pipeline schedule deadlocks");
    }
  }

  // Parameters rank r of stage s holds, in one of its layers (balanced: layer-independent up to rounding, which
  // the footprint counts exactly) -- used for gradient buckets and ZeRO 3 gathers.
  std::int64_t layer_params(int r) const {
    return tensor_rank_footprint(spec_, shape_, 1, 1, false, false, layout_.tensor, r).params;
  }

  void synchronise_and_update() {
    const int replicas = layout_.replicas;
    const workload::ParamCounts p = workload::param_counts(spec_);
    for (int s = 0; s < layout_.stages; ++s) {
      const std::int64_t first = first_layer(spec_.layers, layout_.stages, s);
      const std::int64_t layers = first_layer(spec_.layers, layout_.stages, s + 1) - first;
      for (int r = 0; r < layout_.tensor; ++r) {
        const TensorGroup group = replica_group(s, r);
        // Gradients in the order the backward completes them, as (parameters, the op completing them per replica).
        std::vector<std::pair<std::int64_t, Ranks>> pieces;
        auto done = [&](auto member) {
          Ranks ids;
          for (int d = 0; d < replicas; ++d) {
            const StageState& st = state(d, s);
            ids.push_back(plan_.overlap_gradients ? member(st)[static_cast<std::size_t>(r)] : st.last[static_cast<std::size_t>(r)]);
          }
          return ids;
        };
        const std::int64_t held = tensor_rank_footprint(spec_, shape_, 1, layers, s == 0, s == layout_.stages - 1,
                                                        layout_.tensor, r).params;
        std::int64_t counted = 0;
        if (s == layout_.stages - 1) {
          const std::int64_t head = p.final_norm + p.lm_head.total() / layout_.tensor;
          pieces.push_back({head, done([](const StageState& st) { return st.head_grads; })});
          counted += head;
        }
        for (std::int64_t l = layers - 1; l >= 0; --l) {
          const std::int64_t lp = l == 0 && s != 0 ? held - counted : layer_params(r);
          pieces.push_back({lp, done([l](const StageState& st) { return st.layer_grads[static_cast<std::size_t>(l)]; })});
          counted += lp;
        }
        if (s == 0) {
          pieces.push_back({held - counted, done([](const StageState& st) { return st.embed_grads; })});
        }
        // Buckets of at least gradient_bucket bytes, in that order. A bucket waits for its last piece only: a rank's
        // backward is one chain, so the earlier pieces are complete by then.
        std::vector<Ranks> synced(static_cast<std::size_t>(replicas));
        if (replicas > 1) {
          std::int64_t params = 0;
          Ranks deps;
          int bucket = 0;
          for (std::size_t k = 0; k < pieces.size(); ++k) {
            params += pieces[k].first;
            deps = pieces[k].second;
            const Bytes bytes = hw::bytes_for(spec_.weight_format, params);
            if (bytes < plan_.gradient_bucket && k + 1 < pieces.size()) continue;
            std::string label = concat("stage", s, ".rank", r, ".bucket", bucket++);
            const auto kind = plan_.zero >= 1 ? collective::CollectiveKind::reduce_scatter
                                              : collective::CollectiveKind::all_reduce;
            const OpId id = add(std::move(label),
                                collective(group, kind, std::vector<Bytes>(static_cast<std::size_t>(replicas), bytes)),
                                deps, Phase::gradient_sync);
            for (auto& ids : synced) ids.push_back(id);
            params = 0;
          }
        }
        // The optimizer on each replica's node, then (ZeRO >= 1) the all-gather of the updated weights.
        Ranks updated;
        std::vector<Bytes> shards;
        for (int d = 0; d < replicas; ++d) {
          const StageState& st = state(d, s);
          std::vector<OpId> deps = synced[static_cast<std::size_t>(d)];
          deps.push_back(st.last[static_cast<std::size_t>(r)]);
          const std::int64_t share = plan_.zero >= 1 ? workload::balanced_share(held, replicas, d) : held;
          std::string label = concat("r", d, ".stage", s, ".optimizer", r);
          updated.push_back(add(std::move(label),
                                ComputeOp{group.nodes[static_cast<std::size_t>(d)],
                                          workload::optimizer_step(run_.optimizer, share).work()},
                                deps, Phase::optimizer));
          shards.push_back(hw::bytes_for(spec_.weight_format, share));
        }
        if (plan_.zero >= 1 && replicas > 1) {
          add(concat("stage", s, ".rank", r, ".weights_all_gather"),
              collective(group, collective::CollectiveKind::all_gather, shards), updated, Phase::gradient_sync);
        }
      }
    }
  }

  void footprints(PlannedWorkload& out) const {
    const workload::ZeroStage stage = *workload::zero_stage(plan_.zero);
    const workload::ActivationMemory am =
        workload::activation_memory(spec_, micro_sequences_, run_.seq_len, run_.recompute);
    for (int d = 0; d < layout_.replicas; ++d) {
      for (int s = 0; s < layout_.stages; ++s) {
        const std::int64_t layers = first_layer(spec_.layers, layout_.stages, s + 1) -
                                    first_layer(spec_.layers, layout_.stages, s);
        const std::int64_t in_flight = plan_.schedule == Schedule::gpipe
                                           ? plan_.micro_batches
                                           : std::min(layout_.stages - s, plan_.micro_batches);
        for (int r = 0; r < layout_.tensor; ++r) {
          RankFootprint fp;
          fp.params = tensor_rank_footprint(spec_, shape_, 1, layers, s == 0, s == layout_.stages - 1,
                                            layout_.tensor, r)
                          .params;
          const workload::TrainingState state =
              workload::training_state(run_.optimizer, fp.params, stage, layout_.replicas, d);
          fp.weights = state.weights;
          fp.gradients = state.gradients;
          fp.optimizer = state.optimizer;
          Bytes activations = am.per_layer * (layers * in_flight) + am.working;
          if (s == layout_.stages - 1) activations += am.head;
          fp.activations = Bytes{activations.count / layout_.tensor};
          if (plan_.zero >= 3 && layout_.replicas > 1) {
            // The layer being run and the next one, prefetched, gathered whole.
            fp.activations += hw::bytes_for(spec_.weight_format, layer_params(r)) * 2;
          }
          out.footprint.push_back(fp);
        }
      }
    }
  }

  const workload::TransformerSpec& spec_;
  const workload::TrainingRun& run_;
  const PlanSpec& plan_;
  TrainingLayout layout_;
  std::int64_t micro_sequences_ = 1;
  std::int64_t rows_ = 1;
  workload::TrainingPass pass_;
  workload::PassShape shape_;
  Bytes activation_;
  std::vector<std::vector<TensorGroup>> groups_;  // [replica][stage]
  std::vector<std::vector<StageState>> states_;   // [replica][stage]
  plan::Block block_{"step", 1, {}};
};

}  // namespace

TrainingLayout training_layout(const PlanSpec& plan) {
  TrainingLayout l;
  l.replicas = std::max(1, plan.data_parallel);
  l.tensor = std::max(1, plan.tensor_degree);
  l.stages = std::max(1, plan.nodes / l.replicas / l.tensor);
  return l;
}

std::optional<Problem> training_plan_problem(const workload::TransformerSpec& spec, std::int64_t batch,
                                             const PlanSpec& plan) {
  if (plan.data_parallel < 1 || plan.nodes % plan.data_parallel != 0) {
    return Problem{"data_parallel",
                   concat("data_parallel (", plan.data_parallel, ") must divide the nodes (", plan.nodes, ")")};
  }
  const TrainingLayout l = training_layout(plan);
  const int per_replica = plan.nodes / plan.data_parallel;
  if (std::optional<Problem> p = pipeline_plan_problem(spec, per_replica, plan.tensor_degree, 1, 1)) return p;
  if (plan.zero < 0 || plan.zero > 3) return Problem{"zero", "zero must be 0, 1, 2 or 3"};
  if (plan.zero > 0 && l.replicas == 1) {
    return Problem{"zero", "zero shards state over data-parallel replicas: it needs data_parallel > 1"};
  }
  if (plan.micro_batches < 1) return Problem{"micro_batches", "micro_batches must be at least 1"};
  const std::int64_t per_step = static_cast<std::int64_t>(l.replicas) * plan.micro_batches;
  if (batch % per_step != 0) {
    return Problem{"micro_batches", concat("the batch (", batch, " sequences) must be divisible by data_parallel x "
                                           "micro_batches (", per_step, ")")};
  }
  return std::nullopt;
}

PlanFloor training_plan_floor(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                              std::int64_t batch, const PlanSpec& plan) {
  using collective::Algorithm;
  using collective::CollectiveKind;
  const TrainingLayout l = training_layout(plan);
  const double d = l.replicas, s = l.stages, t = l.tensor, m = plan.micro_batches;
  const double layers = static_cast<double>(spec.layers);
  const double recompute = run.recompute ? 1 : 0;
  const workload::TrainingPass pass = workload::training_pass(spec, batch / l.replicas / plan.micro_batches,
                                                              run.seq_len);
  const auto n = [](const std::vector<workload::OpCost>& ops) { return static_cast<double>(ops.size()); };
  PlanFloor floor;
  floor.compute_ops = d * t * m *
                          (n(pass.forward.pre) + n(pass.forward.post) + n(pass.backward.pre) + n(pass.backward.post) +
                           layers * (n(pass.forward.layer) * (1 + recompute) + n(pass.backward.layer))) +
                      d * s * t;
  if (plan.zero >= 3) floor.add(CollectiveKind::all_gather, plan.algorithm, d, 2 * m * layers * t);
  floor.add(plan.zero >= 1 ? CollectiveKind::reduce_scatter : CollectiveKind::all_reduce, plan.algorithm, d, s * t);
  if (plan.zero >= 1) floor.add(CollectiveKind::all_gather, plan.algorithm, d, s * t);
  floor.add(CollectiveKind::all_reduce, plan.algorithm, t, d * m * (layers * (4 + 2 * recompute) + 2));
  if (l.stages > 1) floor.add(CollectiveKind::broadcast, Algorithm::direct, 2, 2 * d * m * t * (s - 1));
  return floor;
}

std::optional<Problem> expert_training_problem(const workload::TransformerSpec& spec, std::int64_t batch,
                                               const PlanSpec& plan) {
  if (plan.data_parallel != 1) {
    return Problem{"data_parallel", "expert-parallel training runs one replica: data_parallel must be 1"};
  }
  if (std::optional<Problem> p = expert_plan_problem(spec, plan.nodes)) return p;
  if (plan.micro_batches < 1) return Problem{"micro_batches", "micro_batches must be at least 1"};
  if (batch % plan.micro_batches != 0) {
    return Problem{"micro_batches", concat("the batch (", batch, " sequences) must be divisible by micro_batches (",
                                           plan.micro_batches, ")")};
  }
  return std::nullopt;
}

PlannedWorkload build_training_plan(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                    std::int64_t batch, const PlanSpec& plan) {
  require(!training_plan_problem(spec, batch, plan), "training plan: invalid");
  return StepBuilder(spec, run, batch, plan).build();
}

}  // namespace shardsim::plan
