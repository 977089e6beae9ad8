#pragma once
// One tensor-parallel group: T nodes that split every layer they run Megatron-style (Shoeybi et al. 2019), as the
// `tensor` plan does over the whole cluster and the `pipeline` plan does within each stage. Rank r computes the
// query heads [r H/T, (r+1) H/T) with the KV heads they use (split when T divides the KV heads, replicated
// otherwise: a rank then holds one KV head), an all-reduce joins the attention output, then rank r computes its
// d_ff/T columns of every active expert's MLP (the router replicated) and an all-reduce joins the MLP output.
// The embedding is replicated (each rank looks up its own input); the LM head is split by vocabulary and the
// logits gathered to rank 0. An op's FLOPs and bytes are divided as its weights are: head-split ops by T, K/V
// projections and KV-cache reads by the share of KV heads a rank holds, MLP ops by T (balanced, so the parts add
// up to the whole). With T = 1 there is no collective: the group is one node running the whole layer.
// An uneven group (TensorGroup::uneven, plan.split) splits heads, d_ff columns and vocabulary rows by weight instead
// (tensor_split.hpp); each rank's ops then carry its own share, and the logits gather its own slice.

#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/collective/collective.hpp"
#include <optional>

#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/plan/op_graph.hpp"
#include "shardsim/plan/tensor_split.hpp"
#include "shardsim/workload/pass_shape.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

struct TensorGroup {
  std::vector<plan::NodeId> nodes;  // nodes[r] plays rank r
  collective::Algorithm algorithm = collective::Algorithm::ring;
  std::vector<int> groups;  // per rank, its hierarchical group (attachment_groups); empty: one group
  std::optional<TensorSplit> uneven;  // plan.split's shares; none: the even split

  std::int64_t degree() const { return static_cast<std::int64_t>(nodes.size()); }
};

// Rank r's share of a layer op (a forward op of workload::decode_step / prefill, or a backward op of
// workload::training_pass, which is split as the forward op it differentiates) in a group of t.
hw::ComputeWork tensor_share(const workload::TransformerSpec& spec, const workload::OpCost& op, std::int64_t t,
                             std::int64_t r);
// The same in an uneven group: the share of the units (heads, KV heads, columns, rows) rank r holds.
hw::ComputeWork tensor_share(const workload::TransformerSpec& spec, const workload::OpCost& op,
                             const TensorSplit& split, std::int64_t r);

// Appends to `block` what the group does with `ops` (pass.pre or pass.post): the embedding ("embed") replicated on
// every rank, the LM head ("lm_head") split by vocabulary and its logits gathered to rank 0. `after[r]` are the ops
// rank r waits for first. Returns, per rank, the op after which the rank is done (the gather on every rank, when
// there is one).
std::vector<plan::OpId> append_tensor_edge(plan::Block& block, const std::string& prefix,
                                               const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                               const std::vector<workload::OpCost>& ops, const TensorGroup& group,
                                               const std::vector<std::vector<plan::OpId>>& after);

// Appends one layer (`layer_ops` = pass_cost(...).layer) run by the group: attention shards, all-reduce, MLP
// shards, all-reduce. Returns per rank the op after which the layer's output is complete on that rank.
std::vector<plan::OpId> append_tensor_layer(plan::Block& block, const std::string& prefix,
                                                const workload::TransformerSpec& spec,
                                                const workload::PassShape& pass,
                                                const std::vector<workload::OpCost>& layer_ops,
                                                const TensorGroup& group,
                                                const std::vector<std::vector<plan::OpId>>& after);

// What rank r of a group of `degree` holds when the group runs `layers` layers, plus the embedding (`embedding`)
// and the final norm and LM head (`head`): its share of the weights, its KV heads' cache for `pass.context`
// tokens of `sequences` sequences (all of the batch, when `pass` is one micro-batch of it), and the live
// activations of one layer on `pass.rows()` rows.
RankFootprint tensor_rank_footprint(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                    std::int64_t sequences, std::int64_t layers, bool embedding, bool head,
                                    std::int64_t degree, std::int64_t r);
// The same for rank r of an uneven group.
RankFootprint tensor_rank_footprint(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                    std::int64_t sequences, std::int64_t layers, bool embedding, bool head,
                                    const TensorSplit& split, std::int64_t r);

// The extents a transformer's tensor group splits (heads, KV heads, d_ff, vocabulary).
TensorExtents tensor_extents(const workload::TransformerSpec& spec);

}  // namespace shardsim::plan
