#include "shardsim/plan/tensor_plan.hpp"

#include <algorithm>
#include <map>

#include "shardsim/util/error.hpp"

namespace shardsim::plan {
namespace {

using workload::CollectiveOp;
using workload::ComputeOp;
using workload::Op;
using workload::OpId;

// Part r of x split into `parts` balanced pieces (the first x % parts pieces get one more).
std::int64_t part(std::int64_t x, std::int64_t parts, std::int64_t r) { return x / parts + (r < x % parts ? 1 : 0); }

// Part r of an op split `parts` ways (FLOPs and each byte count split the same way).
hw::ComputeWork split(const workload::OpCost& c, std::int64_t parts, std::int64_t r) {
  return hw::ComputeWork{Flop{part(c.flops.count, parts, r)}, Bytes{part(c.bytes_read.count, parts, r)},
                         Bytes{part(c.bytes_written.count, parts, r)}, Bytes{part(c.weight_bytes.count, parts, r)}};
}

}  // namespace

std::string tensor_plan_problem(const workload::TransformerSpec& spec, int degree) {
  const std::int64_t t = degree;
  const std::int64_t kv = spec.resolved_kv_heads();
  if (t < 1) return "the tensor-parallel degree (" + std::to_string(t) + ") must be at least 1";
  if (spec.heads % t != 0) {
    return "heads (" + std::to_string(spec.heads) + ") must be divisible by the tensor-parallel degree (" +
           std::to_string(t) + ")";
  }
  if (kv % t != 0 && t % kv != 0) {
    return "kv_heads (" + std::to_string(kv) + ") must be divisible by the tensor-parallel degree (" +
           std::to_string(t) + "), or the degree by kv_heads";
  }
  if (spec.d_ff < t) return "d_ff (" + std::to_string(spec.d_ff) + ") must be at least the degree (" + std::to_string(t) + ")";
  if (spec.vocab < t) return "vocab must be at least the degree";
  return "";
}

PlannedWorkload build_tensor_plan(const workload::TransformerSpec& spec, std::int64_t batch, std::int64_t context,
                                  const PlanSpec& plan) {
  const std::int64_t t = plan.nodes;
  require(tensor_plan_problem(spec, plan.nodes).empty(), "tensor plan: invalid degree");
  const std::int64_t kv = spec.resolved_kv_heads();
  // KV heads per node, and how many ways the K/V work is split (fewer than T when KV heads are replicated).
  const std::int64_t kv_ways = std::min(kv, t);
  const workload::PassCost pass = workload::decode_step(spec, context, batch);
  const Bytes activation = workload::bytes_for(spec.activation_format, batch * spec.d_model);

  PlannedWorkload out;
  for (int i = 0; i < plan.nodes; ++i) out.nodes.push_back(i);
  auto all_reduce = [&](collective::CollectiveKind kind, std::vector<Bytes> pieces) {
    collective::CollectiveSpec c{kind, plan.algorithm, 0, std::move(pieces)};
    if (plan.algorithm == collective::Algorithm::hierarchical) c.groups = plan.groups;
    return CollectiveOp{std::move(c), out.nodes};
  };

  // Which share of an op a node computes: by heads, by KV heads, or replicated.
  enum class Split { heads, kv_heads, replicated };
  auto split_of = [](const std::string& name) {
    if (name == "k_proj" || name == "v_proj" || name == "attn_scores" || name == "attn_values") return Split::kv_heads;
    if (name == "router" || name == "embed") return Split::replicated;
    return Split::heads;
  };
  auto work_of = [&](const workload::OpCost& c, std::int64_t r) {
    switch (split_of(c.name)) {
      case Split::replicated: return c.work();
      case Split::kv_heads: {
        // FLOPs follow the query heads (T ways); bytes follow the KV heads the node holds (kv_ways ways).
        hw::ComputeWork w = split(c, kv_ways, r % kv_ways);
        if (c.name == "attn_scores" || c.name == "attn_values") w.flops = Flop{part(c.flops.count, t, r)};
        return w;
      }
      case Split::heads: break;
    }
    return split(c, t, r);
  };

  // Block "embed": every node looks its own input up.
  workload::Block embed{"embed", 1, {}};
  for (std::int64_t r = 0; r < t; ++r) {
    for (const workload::OpCost& c : pass.pre) {
      embed.ops.push_back(Op{c.name + std::to_string(r), ComputeOp{static_cast<workload::NodeId>(r), c.work()}, {}});
    }
  }

  // Block "layer": attention shard, all-reduce, MLP shard, all-reduce.
  workload::Block layer{"layer", spec.layers, {}};
  auto add = [&layer](std::string label, auto kind, std::vector<OpId> deps) {
    layer.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps)});
    return static_cast<OpId>(layer.ops.size() - 1);
  };
  const std::vector<std::string> attention{"q_proj", "k_proj", "v_proj", "attn_scores", "attn_softmax", "attn_values",
                                           "o_proj"};
  std::vector<OpId> attention_done, mlp_done;
  for (std::int64_t r = 0; r < t; ++r) {
    std::map<std::string, OpId> id;
    const auto node = static_cast<workload::NodeId>(r);
    for (const workload::OpCost& c : pass.layer) {
      if (std::find(attention.begin(), attention.end(), c.name) == attention.end()) continue;
      std::vector<OpId> deps;
      if (c.name == "attn_scores") deps = {id.at("q_proj"), id.at("k_proj")};
      if (c.name == "attn_softmax") deps = {id.at("attn_scores")};
      if (c.name == "attn_values") deps = {id.at("attn_softmax"), id.at("v_proj")};
      if (c.name == "o_proj") deps = {id.at("attn_values")};
      id[c.name] = add(c.name + std::to_string(r), ComputeOp{node, work_of(c, r)}, deps);
    }
    attention_done.push_back(id.at("o_proj"));
  }
  const OpId reduce_attention = add(
      "attention_all_reduce",
      all_reduce(collective::CollectiveKind::all_reduce, std::vector<Bytes>(static_cast<std::size_t>(t), activation)),
      attention_done);
  for (std::int64_t r = 0; r < t; ++r) {
    std::map<std::string, OpId> id;
    const auto node = static_cast<workload::NodeId>(r);
    for (const workload::OpCost& c : pass.layer) {
      if (std::find(attention.begin(), attention.end(), c.name) != attention.end()) continue;
      std::vector<OpId> deps{reduce_attention};
      if (c.name == "mlp_gate" || c.name == "mlp_up") {
        if (id.count("router")) deps = {id.at("router")};
      }
      if (c.name == "mlp_down") {
        deps = {id.at("mlp_up")};
        if (id.count("mlp_gate")) deps.push_back(id.at("mlp_gate"));
      }
      id[c.name] = add(c.name + std::to_string(r), ComputeOp{node, work_of(c, r)}, deps);
    }
    mlp_done.push_back(id.at("mlp_down"));
  }
  add("mlp_all_reduce",
      all_reduce(collective::CollectiveKind::all_reduce, std::vector<Bytes>(static_cast<std::size_t>(t), activation)),
      mlp_done);

  // Block "head": each node computes its vocabulary slice of the logits; node 0 gathers them.
  workload::Block head{"head", 1, {}};
  std::vector<OpId> logits;
  std::vector<Bytes> pieces;
  for (std::int64_t r = 0; r < t; ++r) {
    for (const workload::OpCost& c : pass.post) {
      head.ops.push_back(Op{c.name + std::to_string(r), ComputeOp{static_cast<workload::NodeId>(r), split(c, t, r)}, {}});
      logits.push_back(static_cast<OpId>(head.ops.size() - 1));
    }
    pieces.push_back(workload::bytes_for(spec.activation_format, batch * part(spec.vocab, t, r)));
  }
  head.ops.push_back(Op{"logits_gather", all_reduce(collective::CollectiveKind::gather, pieces), logits});

  out.graph.blocks = {std::move(embed), std::move(layer), std::move(head)};

  // What each node holds: its share of every layer's weights, the replicated embedding and norms, its vocabulary
  // slice of the LM head, and its KV heads' cache.
  const workload::ParamCounts p = workload::param_counts(spec);
  for (std::int64_t r = 0; r < t; ++r) {
    const std::int64_t kv_share = part(spec.layers * (p.k.total() + p.v.total()), kv_ways, r % kv_ways);
    const std::int64_t per_layer_heads = p.q.total() + p.o.total() + p.experts * p.mlp_per_expert();
    RankFootprint fp;
    fp.params = part(spec.layers * per_layer_heads, t, r) + kv_share +
                spec.layers * (p.router.total() + p.layer_norms) + p.token_embedding + p.position_embedding +
                p.final_norm + part(p.lm_head.total(), t, r);
    fp.weights = workload::bytes_for(spec.weight_format, fp.params);
    const Bytes cache = workload::kv_bytes_per_token(spec) * (context * batch);
    fp.kv_cache = Bytes{part(cache.count, kv_ways, r % kv_ways)};
    fp.activations = workload::bytes_for(spec.activation_format, batch * (4 * spec.d_model + 3 * spec.d_ff / t));
    out.footprint.push_back(fp);
  }
  return out;
}

}  // namespace shardsim::plan
