// plan.runtime = "exo": exo's ring of devices, each running a contiguous shard of layers sized by its memory.
//
// What exo does, read from its public source (exo-explore/exo, the Python implementation;
// exo/orchestration/standard_node.py at d7b51b0, exo/topology/partitioning_strategy.py at 0af164f and the ring
// memory-weighted strategy beside it):
// - Partitions: the nodes sorted by memory, largest first, each given the fraction [start, end) of the model equal
//   to its share of the total memory; a shard is layers int(start * L) .. int(end * L) - 1, the last shard running
//   to L - 1 (map_partitions_to_shards). The first shard also embeds the token; the last holds the final norm and
//   the LM head, and samples.
// - Per token: each node runs its shard on the tensor it receives and forwards the result to the next partition
//   with a gRPC SendTensor (the numpy array's bytes, its shape and dtype, the shard and the request id); the last
//   samples, broadcasts the tokens generated so far to every peer (broadcast_result) and sends the new token back
//   to the first partition. Around each shard a node also broadcasts a "node_status" JSON (start_process_tensor,
//   end_process_tensor) to every peer; those are asyncio tasks off the token's path but they load the links and
//   the CPUs.
// - On a Raspberry Pi exo runs its tinygrad engine (MLX is Apple-only), which loads the model's Hugging Face
//   weights (fp16 or bf16; no 4-bit kernels): so fp16 or fp32 weights only, the activations in the weights' format.
//
// Not modelled: the Python and gRPC cost per call (no measurement found on a Pi; each side pays the node type's
// send/recv overheads only), tinygrad's kernel efficiency (the node type's rates stand in for it), exo's own
// discovery and topology traffic (every second, off the token's path).

#include <algorithm>
#include <numeric>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/util/concat.hpp"
#include "shardsim/util/error.hpp"
#include "task_list.hpp"

namespace shardsim::plan {
namespace {

using hw::NumberFormat;

// ⚠ The protobuf framing of a SendTensor beside the tensor's bytes: the shard (model id, three ints), the shape,
// the dtype name, a 36-character request id: about 200 B (node_service.proto). A node_status JSON as
// standard_node.py builds it (type, node id, status, both shards as dicts, shape, request id): about 400 B.
constexpr std::int64_t kTensorFraming = 200;
constexpr std::int64_t kStatusBytes = 400;

// Rank order of the ring: memory descending, ties by rank (exo breaks them by node id).
std::vector<int> ring_order(const std::vector<double>& memory) {
  std::vector<int> order(memory.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return memory[a] > memory[b]; });
  return order;
}

// Layers of the ring's partitions, in ring order: [first[i], first[i + 1]).
std::vector<std::int64_t> shard_starts(const std::vector<double>& memory, const std::vector<int>& order,
                                       std::int64_t layers) {
  const double total = std::accumulate(memory.begin(), memory.end(), 0.0);
  std::vector<std::int64_t> first;
  double start = 0;
  for (int rank : order) {
    first.push_back(std::min(layers, static_cast<std::int64_t>(start * static_cast<double>(layers))));
    start += memory[static_cast<std::size_t>(rank)] / total;
  }
  first.push_back(layers);
  return first;
}

// Every node tells every other what it is doing: one status message to each peer.
void broadcast_status(TaskList& t, NodeId from, int nodes, const std::string& label) {
  for (int peer = 0; peer < nodes; ++peer) {
    if (peer != from) t.send(label, from, static_cast<NodeId>(peer), Bytes{kStatusBytes});
  }
}

OpGraph token(const LayerShape& s, const std::vector<int>& order, const std::vector<std::int64_t>& first,
              std::int64_t generated) {
  OpGraph graph;
  const int nodes = static_cast<int>(order.size());
  const std::int64_t act = static_cast<std::int64_t>(hw::bytes_per_value(s.weights));
  NodeId previous = -1;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::int64_t count = first[i + 1] - first[i];
    if (count <= 0) continue;
    const auto node = static_cast<NodeId>(order[i]);
    TaskList in(concat("shard ", i, " start"), nodes);
    if (previous >= 0) in.send("tensor", previous, node, Bytes{kTensorFraming + act * s.dim});
    broadcast_status(in, node, nodes, "status");
    if (i == 0) in.compute("embedding", node, vector_pass(s.dim, 0, hw::bytes_per_value(s.weights), hw::bytes_per_value(s.weights), 1));
    graph.blocks.push_back(in.finish());
    TaskList layers(concat("layers of shard ", i), nodes);
    decoder_layer(layers, s, node, s.weights);
    graph.blocks.push_back(layers.finish(count));
    TaskList out(concat("shard ", i, " end"), nodes);
    broadcast_status(out, node, nodes, "status");
    graph.blocks.push_back(out.finish());
    previous = node;
  }
  // The last shard: final norm, LM head, sampling; the tokens so far to every peer, the new one to the first.
  TaskList end("sample", nodes);
  end.compute("norm", previous, vector_pass(s.dim, 4, 8, 4, s.threads, 2));
  end.compute("lm_head", previous, matmul(s.vocab, s.dim, s.weights, s.weights, s.threads));
  end.compute("sample", previous, vector_pass(s.vocab, 20, 8, 4, 1));
  for (int peer = 0; peer < nodes; ++peer) {
    if (peer != previous) end.send("result", previous, static_cast<NodeId>(peer), Bytes{kTensorFraming + 8 * generated});
  }
  const auto head = static_cast<NodeId>(order.front());
  if (head != previous) end.send("token", previous, head, Bytes{kTensorFraming + 8});
  graph.blocks.push_back(end.finish());
  return graph;
}

std::optional<Problem> exo_problem(const workload::TransformerSpec& spec) {
  if (std::optional<Problem> problem = dense_llama_problem(spec, "exo")) return problem;
  if (spec.weight_format != NumberFormat::fp16 && spec.weight_format != NumberFormat::fp32) {
    return Problem{"runtime", concat("exo's tinygrad engine (the one a Pi runs) loads fp16 or fp32 weights, not ",
                                     std::string(hw::to_string(spec.weight_format)))};
  }
  return std::nullopt;
}

class ExoRuntime final : public Strategy {
 public:
  std::string_view name() const override { return "exo"; }
  bool is_runtime() const override { return true; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    if (!ctx.model.transformer) keys.fail("runtime", "exo runs a [transformer] model");
    if (keys.has("runtime_version")) {
      keys.fail("runtime_version", "exo is modelled as one behaviour (the Python implementation at d7b51b0); "
                                   "leave runtime_version out");
    }
    spec.runtime.version = "d7b51b0";
    if (ctx.run.batch != 1) keys.fail("runtime", "exo runs one request here: run.batch must be 1");
    const int cores = ctx.topology.node(node_of_rank(spec, 0)).cores;
    spec.runtime.threads = static_cast<int>(integer_in(keys, "threads", cores, 1, 256));
    const std::int64_t available = available_nodes(ctx.topology, spec);
    spec.nodes = read_nodes(keys, available, available, available);
    for (int d = 0; d < spec.nodes; ++d) {
      spec.runtime.split.push_back(static_cast<double>(ctx.topology.node(node_of_rank(spec, d)).ram.count));
    }
    if (std::optional<Problem> problem = exo_problem(*ctx.model.transformer)) fail_at(keys, *problem, "runtime");
  }

  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& plan,
                        std::int64_t) const override {
    const workload::TransformerSpec& spec = *model.transformer;
    require(!exo_problem(spec) && pass.batch == 1, "exo plan: invalid");
    LayerShape s{spec.d_model, spec.kv_width(), spec.d_ff, spec.vocab, spec.layers, pass.context,
                 spec.resolved_head_dim(), spec.heads, spec.weight_format, spec.kv_format, plan.runtime.threads};
    const std::vector<int> order = ring_order(plan.runtime.split);
    const std::vector<std::int64_t> first = shard_starts(plan.runtime.split, order, s.layers);
    PlannedWorkload out;
    for (int d = 0; d < plan.nodes; ++d) out.nodes.push_back(d);
    const std::int64_t from = pass.kind == workload::PassKind::prefill ? 1 : pass.context;
    for (std::int64_t context = from; context <= pass.context; ++context) {
      s.context = context;
      for (Block& b : token(s, order, first, context).blocks) out.graph.blocks.push_back(std::move(b));
    }
    const std::int64_t layer_params = s.dim * (s.dim + 2 * s.kv) + s.dim * s.dim + 3 * s.dim * s.hid;
    out.footprint.resize(static_cast<std::size_t>(plan.nodes));
    for (std::size_t i = 0; i < order.size(); ++i) {
      RankFootprint& f = out.footprint[static_cast<std::size_t>(order[i])];
      const std::int64_t count = first[i + 1] - first[i];
      const bool head = i == 0;
      const bool tail = i + 1 == order.size();
      f.params = count * layer_params + (head ? s.vocab * s.dim : 0) + (tail ? s.vocab * s.dim : 0);
      f.weights = hw::bytes_for(s.weights, f.params);
      // ⚠ tinygrad's Llama allocates its cache for the model's whole context, in the weights' format.
      f.kv_cache = hw::bytes_for(s.weights, 2 * count * spec.max_context * s.kv);
      f.activations = Bytes{4 * (4 * s.dim + 2 * s.hid + s.heads * pass.context)};
    }
    return out;
  }

  bool has_collectives() const override { return false; }
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec&, bool) const override {
    return {};
  }

  std::string describe(const Model& model, const PlanSpec& spec, const workload::RunOptions& run) const override {
    const std::vector<int> order = ring_order(spec.runtime.split);
    const std::vector<std::int64_t> first = shard_starts(spec.runtime.split, order, model.transformer->layers);
    std::string ring;
    for (std::size_t i = 0; i < order.size(); ++i) {
      ring += concat(i == 0 ? "" : " -> ", "rank ", order[i], " (", first[i + 1] - first[i], " layers)");
    }
    return concat("exo (d7b51b0, tinygrad) ring ", ring, ", ", spec.runtime.threads, " threads each, context ",
                  run.context, " tokens");
  }
};

}  // namespace

const Strategy& exo_runtime() {
  static const ExoRuntime unit;
  return unit;
}

}  // namespace shardsim::plan
