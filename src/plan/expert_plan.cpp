#include "shardsim/plan/expert_plan.hpp"

#include <algorithm>
#include <random>

#include "shardsim/plan/partition.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::plan {
namespace {


bool is_mlp(const std::string& name) { return name == "mlp_gate" || name == "mlp_up" || name == "mlp_down"; }

}  // namespace

std::vector<std::int64_t> expert_owners(const workload::TransformerSpec& spec, int nodes,
                                        const std::vector<double>& weights) {
  std::vector<std::int64_t> owner(static_cast<std::size_t>(spec.experts));
  if (weights.empty()) {
    for (std::int64_t e = 0; e < spec.experts; ++e) owner[static_cast<std::size_t>(e)] = e % nodes;
    return owner;
  }
  const std::vector<Range> blocks = weighted_split(spec.experts, weights);
  for (std::size_t node = 0; node < blocks.size(); ++node) {
    for (std::int64_t e = blocks[node].begin; e < blocks[node].end(); ++e) {
      owner[static_cast<std::size_t>(e)] = static_cast<std::int64_t>(node);
    }
  }
  return owner;
}

std::vector<std::vector<std::int64_t>> route_tokens(const workload::TransformerSpec& spec, std::int64_t batch,
                                                    const std::vector<std::int64_t>& owners, Routing routing,
                                                    std::mt19937_64& random) {
  const std::int64_t k = spec.experts_per_token;
  const std::int64_t nodes = owners.empty() ? 1 : *std::max_element(owners.begin(), owners.end()) + 1;
  std::vector<std::vector<std::int64_t>> chosen(static_cast<std::size_t>(batch));
  for (auto& experts : chosen) {
    if (routing == Routing::worst) {
      // As many as possible on one node other than node 0 (node w = 1: its experts in order, 1, 1 + N, ... when
      // they are spread e mod N), the rest on the next nodes in turn.
      const std::int64_t w = nodes > 1 ? 1 : 0;
      for (std::int64_t offset = 0; offset < nodes && static_cast<std::int64_t>(experts.size()) < k; ++offset) {
        const std::int64_t node = (w + offset) % nodes;
        for (std::int64_t e = 0; e < spec.experts && static_cast<std::int64_t>(experts.size()) < k; ++e) {
          if (owners[static_cast<std::size_t>(e)] == node) experts.push_back(e);
        }
      }
      continue;
    }
    // A partial Fisher-Yates shuffle with the engine's raw output (std::uniform_int_distribution is
    // implementation-defined; this is the same on every machine).
    std::vector<std::int64_t> all(static_cast<std::size_t>(spec.experts));
    for (std::int64_t e = 0; e < spec.experts; ++e) all[static_cast<std::size_t>(e)] = e;
    for (std::int64_t i = 0; i < k; ++i) {
      const auto j = i + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(spec.experts - i));
      std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
      experts.push_back(all[static_cast<std::size_t>(i)]);
    }
  }
  return chosen;
}

std::vector<std::int64_t> expert_rows(const workload::TransformerSpec& spec, std::int64_t rows,
                                      const std::vector<std::int64_t>& owners, Routing routing,
                                      std::mt19937_64& random) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(spec.experts), 0);
  for (const auto& experts : route_tokens(spec, rows, owners, routing, random)) {
    for (std::int64_t e : experts) {
      require(e >= 0 && e < spec.experts, "expert plan: routed to a missing expert");
      ++out[static_cast<std::size_t>(e)];
    }
  }
  return out;
}

std::optional<Problem> expert_plan_problem(const workload::TransformerSpec& spec, int nodes,
                                           const std::vector<double>& weights) {
  if (spec.experts < 2) {
    return Problem{"strategy", "the expert plan needs a mixture of experts (this model has one MLP per layer)"};
  }
  if (nodes < 1) return Problem{"nodes", "the number of nodes (" + std::to_string(nodes) + ") must be at least 1"};
  if (nodes > spec.experts) {
    return Problem{"nodes",
                   "more nodes (" + std::to_string(nodes) + ") than experts (" + std::to_string(spec.experts) + ")"};
  }
  if (!weights.empty()) {
    const std::vector<Range> blocks = weighted_split(spec.experts, weights);
    for (std::size_t node = 0; node < blocks.size(); ++node) {
      if (blocks[node].size == 0) {
        return Problem{"split", "node " + std::to_string(node) + " would get no expert of " +
                                    std::to_string(spec.experts)};
      }
    }
    return std::nullopt;
  }
  if (spec.experts % nodes != 0) {
    return Problem{"nodes", "experts (" + std::to_string(spec.experts) + ") must be divisible by the number of nodes (" +
                                std::to_string(nodes) + ")"};
  }
  return std::nullopt;
}

PlannedWorkload build_expert_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                  const PlanSpec& plan) {
  require(!expert_plan_problem(spec, plan.nodes, plan.rank_weights), "expert plan: invalid");
  const std::vector<std::int64_t> owners = expert_owners(spec, plan.nodes, plan.rank_weights);
  const std::int64_t n = plan.nodes;
  const workload::PassCost host = workload::pass_cost(spec, pass);
  // One expert's MLP on r rows: the dense model's MLP ops.
  workload::TransformerSpec dense = spec;
  dense.experts = 1;
  dense.experts_per_token = 1;
  std::mt19937_64 random(plan.seed);

  PlannedWorkload out;
  for (int i = 0; i < plan.nodes; ++i) out.nodes.push_back(i);
  plan::Block token{"token", 1, {}};
  auto add = [&token](std::string label, auto kind, std::vector<OpId> deps) {
    token.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps)});
    return static_cast<OpId>(token.ops.size() - 1);
  };
  auto send = [](std::int64_t from, std::int64_t to, Bytes bytes) {
    collective::CollectiveSpec c{collective::CollectiveKind::broadcast, collective::Algorithm::direct, 0,
                                 {bytes, Bytes{}}};
    return CollectiveOp{std::move(c), {static_cast<plan::NodeId>(from), static_cast<plan::NodeId>(to)}};
  };

  std::vector<OpId> last;
  for (const workload::OpCost& c : host.pre) last = {add(c.name, ComputeOp{0, c.work()}, last)};
  for (std::int64_t l = 0; l < spec.layers; ++l) {
    const std::string layer = "layer" + std::to_string(l) + ".";
    for (const workload::OpCost& c : host.layer) {
      if (!is_mlp(c.name)) last = {add(layer + c.name, ComputeOp{0, c.work()}, last)};
    }
    const std::vector<std::int64_t> rows = expert_rows(spec, pass.rows(), owners, plan.routing, random);
    std::vector<OpId> combined;
    for (std::int64_t e = 0; e < spec.experts; ++e) {
      const std::int64_t r = rows[static_cast<std::size_t>(e)];
      if (r == 0) continue;
      const std::int64_t node = owners[static_cast<std::size_t>(e)];
      const Bytes activations = hw::bytes_for(spec.activation_format, r * spec.d_model);
      const std::string name = layer + "expert" + std::to_string(e);
      std::vector<OpId> deps = last;
      if (node != 0) deps = {add(name + ".dispatch", send(0, node, activations), deps)};
      // An MLP's cost depends on its rows only (the context of decode_step(dense, 1, r) touches attention).
      const workload::PassCost mlp = workload::decode_step(dense, 1, r);
      OpId gate = -1;
      for (const workload::OpCost& c : mlp.layer) {
        if (!is_mlp(c.name)) continue;
        std::vector<OpId> after = deps;
        if (c.name == "mlp_down") after = gate >= 0 ? std::vector<OpId>{deps.back(), gate} : std::vector<OpId>{deps.back()};
        const OpId id = add(name + "." + c.name, ComputeOp{static_cast<plan::NodeId>(node), c.work()}, after);
        if (c.name == "mlp_gate") gate = id;
        if (c.name == "mlp_up" || c.name == "mlp_down") deps = {id};
      }
      combined.push_back(node != 0 ? add(name + ".combine", send(node, 0, activations), deps) : deps.back());
    }
    last = combined;
  }
  for (const workload::OpCost& c : host.post) last = {add(c.name, ComputeOp{0, c.work()}, last)};
  out.graph.blocks.push_back(std::move(token));

  const workload::ParamCounts p = workload::param_counts(spec);
  for (std::int64_t node = 0; node < n; ++node) {
    RankFootprint fp;
    const auto held = static_cast<std::int64_t>(std::count(owners.begin(), owners.end(), node));
    fp.params = spec.layers * held * p.mlp_per_expert();
    if (node == 0) {
      fp.params += spec.layers * (p.attention_per_layer() + p.router.total() + p.layer_norms) + p.token_embedding +
                   p.position_embedding + p.final_norm + p.lm_head.total();
      fp.kv_cache = workload::kv_bytes_per_token(spec) * (pass.context * pass.batch);
    }
    fp.weights = hw::bytes_for(spec.weight_format, fp.params);
    fp.activations = hw::bytes_for(spec.activation_format, pass.rows() * (4 * spec.d_model + 3 * spec.d_ff));
    out.footprint.push_back(fp);
  }
  return out;
}

}  // namespace shardsim::plan
