#include "shardsim/plan/tensor_group.hpp"

#include <algorithm>

#include "shardsim/util/error.hpp"

namespace shardsim::plan {
namespace {


// The part of op `c` that units `held` of `units` carry (FLOPs and each byte count alike).
hw::ComputeWork split_units(const workload::OpCost& c, std::int64_t units, Range held) {
  hw::ComputeWork w = c.work();
  w.flops = Flop{units_part(c.flops.count, units, held)};
  w.bytes_read = Bytes{units_part(c.bytes_read.count, units, held)};
  w.bytes_written = Bytes{units_part(c.bytes_written.count, units, held)};
  w.weight_bytes = Bytes{units_part(c.weight_bytes.count, units, held)};
  w.kv_cache_bytes = Bytes{units_part(c.kv_cache_bytes.count, units, held)};
  return w;
}

// Part r of x split into `parts` balanced pieces (the first x % parts pieces get one more): unit r of `parts`.
std::int64_t part(std::int64_t x, std::int64_t parts, std::int64_t r) { return units_part(x, parts, Range{r, 1}); }

// Part r of an op split `parts` ways (FLOPs and each byte count split the same way).
hw::ComputeWork split(const workload::OpCost& c, std::int64_t parts, std::int64_t r) {
  return split_units(c, parts, Range{r, 1});
}

// How many ways the K/V work is split: T when T divides the KV heads, kv_heads when they are replicated.
std::int64_t kv_ways(const workload::TransformerSpec& spec, std::int64_t t) {
  return std::min(spec.resolved_kv_heads(), t);
}

bool is_attention(const std::string& name) {
  return name == "q_proj" || name == "k_proj" || name == "v_proj" || name == "attn_scores" ||
         name == "attn_softmax" || name == "attn_values" || name == "o_proj";
}

}  // namespace

hw::ComputeWork tensor_share(const workload::TransformerSpec& spec, const workload::OpCost& c, std::int64_t t,
                             std::int64_t r) {
  // A backward op ("q_proj.grad_input", "attn_scores.grad_k") is split as the forward op it differentiates.
  const std::string base = c.name.substr(0, c.name.find('.'));
  if (base == "router") return c.work();
  if (base == "k_proj" || base == "v_proj" || base == "attn_scores" || base == "attn_values") {
    // FLOPs of the score ops follow the query heads (T ways); bytes follow the KV heads held (kv_ways ways).
    const std::int64_t ways = kv_ways(spec, t);
    hw::ComputeWork w = split(c, ways, r % ways);
    if (base == "attn_scores" || base == "attn_values") w.flops = Flop{part(c.flops.count, t, r)};
    return w;
  }
  return split(c, t, r);
}

TensorExtents tensor_extents(const workload::TransformerSpec& spec) {
  return TensorExtents{spec.heads, spec.resolved_kv_heads(), spec.d_ff, spec.vocab};
}

hw::ComputeWork tensor_share(const workload::TransformerSpec& spec, const workload::OpCost& c,
                             const TensorSplit& split, std::int64_t r) {
  const auto i = static_cast<std::size_t>(r);
  const TensorExtents e = tensor_extents(spec);
  const std::string base = c.name.substr(0, c.name.find('.'));
  if (base == "router" || base == "embed") return c.work();
  if (base == "lm_head") return split_units(c, e.vocab, split.vocab[i]);
  if (base == "k_proj" || base == "v_proj" || base == "attn_scores" || base == "attn_values") {
    // Bytes follow the KV heads held; the score ops' FLOPs follow the query heads.
    hw::ComputeWork w = split_units(c, e.kv_heads, split.kv_heads[i]);
    if (base == "attn_scores" || base == "attn_values") {
      w.flops = Flop{units_part(c.flops.count, e.heads, split.heads[i])};
    }
    return w;
  }
  if (is_attention(base)) return split_units(c, e.heads, split.heads[i]);  // q_proj, attn_softmax, o_proj
  return split_units(c, e.d_ff, split.ff[i]);                            // the MLP
}

namespace {

CollectiveOp collective_of(const TensorGroup& group, collective::CollectiveKind kind, std::vector<Bytes> pieces) {
  collective::CollectiveSpec c{kind, group.algorithm, 0, std::move(pieces)};
  if (group.algorithm == collective::Algorithm::hierarchical) c.groups = group.groups;
  return CollectiveOp{std::move(c), group.nodes};
}

OpId add(plan::Block& block, std::string label, std::variant<ComputeOp, CollectiveOp> kind,
         std::vector<OpId> deps) {
  block.ops.push_back(Op{std::move(label), std::move(kind), std::move(deps)});
  return static_cast<OpId>(block.ops.size() - 1);
}

std::string rank_label(const std::string& prefix, const std::string& name, std::int64_t r) {
  std::string label = prefix;
  label += name;
  label += std::to_string(r);
  return label;
}

}  // namespace

std::vector<OpId> append_tensor_edge(plan::Block& block, const std::string& prefix,
                                     const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                     const std::vector<workload::OpCost>& ops, const TensorGroup& group,
                                     const std::vector<std::vector<OpId>>& after) {
  const std::int64_t t = group.degree();
  std::vector<std::vector<OpId>> last = after;
  bool gathers = false;
  for (const workload::OpCost& c : ops) {
    const bool lm_head = c.name == "lm_head";
    for (std::int64_t r = 0; r < t; ++r) {
      auto& deps = last[static_cast<std::size_t>(r)];
      deps = {add(block, rank_label(prefix, c.name, r),
                  ComputeOp{group.nodes[static_cast<std::size_t>(r)], !lm_head       ? c.work()
                                                                      : group.uneven ? tensor_share(spec, c, *group.uneven, r)
                                                                                     : split(c, t, r)},
                  deps)};
    }
    gathers = gathers || (lm_head && t > 1);
  }
  require(!ops.empty(), "tensor edge: no ops");
  if (!gathers) {
    std::vector<OpId> out;
    for (const auto& deps : last) out.push_back(deps.back());
    return out;
  }
  // The logits of each sequence's last position (pass.batch rows), a vocabulary slice per rank, to rank 0.
  std::vector<Bytes> pieces;
  std::vector<OpId> deps;
  for (std::int64_t r = 0; r < t; ++r) {
    const std::int64_t rows = group.uneven ? group.uneven->vocab[static_cast<std::size_t>(r)].size : part(spec.vocab, t, r);
    pieces.push_back(hw::bytes_for(spec.activation_format, pass.batch * rows));
    deps.push_back(last[static_cast<std::size_t>(r)].back());
  }
  std::string label = prefix;
  label += "logits_gather";
  const OpId gather = add(block, label, collective_of(group, collective::CollectiveKind::gather, pieces), deps);
  return std::vector<OpId>(static_cast<std::size_t>(t), gather);
}

std::vector<OpId> append_tensor_layer(plan::Block& block, const std::string& prefix,
                                      const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                      const std::vector<workload::OpCost>& layer_ops, const TensorGroup& group,
                                      const std::vector<std::vector<OpId>>& after) {
  const std::int64_t t = group.degree();
  require(t >= 1 && static_cast<std::int64_t>(after.size()) == t, "tensor layer: one dependency list per rank");
  const Bytes activation = hw::bytes_for(spec.activation_format, pass.rows() * spec.d_model);
  // One all-reduce of the rows' d_model activations over the group; none on one node.
  auto all_reduce = [&](const std::string& name, const std::vector<OpId>& done) {
    if (t == 1) return done;
    std::string label = prefix;
    label += name;
    const OpId id = add(block, label,
                        collective_of(group, collective::CollectiveKind::all_reduce,
                                      std::vector<Bytes>(static_cast<std::size_t>(t), activation)),
                        done);
    return std::vector<OpId>(static_cast<std::size_t>(t), id);
  };

  auto share = [&](const workload::OpCost& c, std::int64_t r) {
    return group.uneven ? tensor_share(spec, c, *group.uneven, r) : tensor_share(spec, c, t, r);
  };
  // A rank's ops form a chain in the pass's order: its one CPU runs them one after another anyway, and the chain
  // keeps the critical path on the ops themselves rather than on time "queued" behind a sibling op.
  std::vector<OpId> attention_done;
  for (std::int64_t r = 0; r < t; ++r) {
    const plan::NodeId node = group.nodes[static_cast<std::size_t>(r)];
    std::vector<OpId> deps = after[static_cast<std::size_t>(r)];
    for (const workload::OpCost& c : layer_ops) {
      if (!is_attention(c.name)) continue;
      deps = {add(block, rank_label(prefix, c.name, r), ComputeOp{node, share(c, r)}, deps)};
    }
    attention_done.push_back(deps.back());
  }
  const std::vector<OpId> attention = all_reduce("attention_all_reduce", attention_done);

  std::vector<OpId> mlp_done;
  for (std::int64_t r = 0; r < t; ++r) {
    const plan::NodeId node = group.nodes[static_cast<std::size_t>(r)];
    std::vector<OpId> deps{attention[static_cast<std::size_t>(r)]};
    for (const workload::OpCost& c : layer_ops) {
      if (is_attention(c.name)) continue;
      deps = {add(block, rank_label(prefix, c.name, r), ComputeOp{node, share(c, r)}, deps)};
    }
    mlp_done.push_back(deps.back());
  }
  return all_reduce("mlp_all_reduce", mlp_done);
}

RankFootprint tensor_rank_footprint(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                    std::int64_t sequences, std::int64_t layers, bool embedding, bool head,
                                    std::int64_t degree, std::int64_t r) {
  const std::int64_t t = degree;
  const std::int64_t ways = kv_ways(spec, t);
  const workload::ParamCounts p = workload::param_counts(spec);
  const std::int64_t per_layer_heads = p.q.total() + p.o.total() + p.experts * p.mlp_per_expert();
  RankFootprint fp;
  fp.params = part(layers * per_layer_heads, t, r) + part(layers * (p.k.total() + p.v.total()), ways, r % ways) +
              layers * (p.router.total() + p.layer_norms);
  if (embedding) fp.params += p.token_embedding + p.position_embedding;
  if (head) fp.params += p.final_norm + part(p.lm_head.total(), t, r);
  fp.weights = hw::bytes_for(spec.weight_format, fp.params);
  const Bytes cache = workload::kv_bytes_per_token_per_layer(spec) * (layers * pass.context * sequences);
  fp.kv_cache = Bytes{part(cache.count, ways, r % ways)};
  // A layer's input and output, the attention output and the residual (4 x d_model), and the MLP's gate, up and
  // hidden slices (3 x d_ff / T), per row.
  fp.activations = hw::bytes_for(spec.activation_format, pass.rows() * (4 * spec.d_model + 3 * spec.d_ff / t));
  return fp;
}

RankFootprint tensor_rank_footprint(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                    std::int64_t sequences, std::int64_t layers, bool embedding, bool head,
                                    const TensorSplit& split, std::int64_t r) {
  const auto i = static_cast<std::size_t>(r);
  const TensorExtents e = tensor_extents(spec);
  const workload::ParamCounts p = workload::param_counts(spec);
  RankFootprint fp;
  fp.params = layers * (units_part(p.q.total() + p.o.total(), e.heads, split.heads[i]) +
                        units_part(p.k.total() + p.v.total(), e.kv_heads, split.kv_heads[i]) +
                        units_part(p.experts * p.mlp_per_expert(), e.d_ff, split.ff[i]) + p.router.total() +
                        p.layer_norms);
  if (embedding) fp.params += p.token_embedding + p.position_embedding;
  if (head) fp.params += p.final_norm + units_part(p.lm_head.total(), e.vocab, split.vocab[i]);
  fp.weights = hw::bytes_for(spec.weight_format, fp.params);
  const Bytes cache = workload::kv_bytes_per_token_per_layer(spec) * (layers * pass.context * sequences);
  fp.kv_cache = Bytes{units_part(cache.count, e.kv_heads, split.kv_heads[i])};
  fp.activations = hw::bytes_for(spec.activation_format, pass.rows() * (4 * spec.d_model + 3 * split.ff[i].size));
  return fp;
}

}  // namespace shardsim::plan
