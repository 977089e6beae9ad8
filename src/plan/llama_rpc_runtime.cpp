// plan.runtime = "llama.cpp-rpc": llama.cpp's RPC backend, layers split over rpc-server devices, run one device
// after the other for every token.
//
// What llama.cpp does, read from its public source (ggml-org/llama.cpp; ggml/src/ggml-rpc/ggml-rpc.cpp at 004d67e,
// tools/rpc/rpc-server.cpp at 075f1e0, src/llama-model.cpp's layer assignment):
// - The client (llama-cli, llama-server) talks to every rpc-server over one TCP connection each. A command is
//   | cmd (1 B) | size (8 B) | payload |; a response is | size (8 B) | payload |. A tensor named in a command is a
//   296-byte rpc_tensor (id, type, buffer, ne[4], nb[4] as uint32, op, 64 B of op params, flags, 10 source ids,
//   view source and offset, data pointer, a 64-byte name, use count).
// - Layers go to devices in proportion to the memory each reports (RPC_CMD_GET_DEVICE_MEMORY: the server's total
//   RAM for its CPU device), or to --tensor-split: with -ngl above the layer count, act = n_layer + 1 "layers" (the
//   output layer counts as one), and layer il goes to the first device whose cumulative share exceeds il / act.
//   The token embedding always stays with the client's CPU.
// - Per token the scheduler runs the graph split by split, one split per device in layer order. A split's inputs
//   are set on its device (RPC_CMD_SET_TENSOR: rpc_tensor + offset + the bytes): the hidden state (d_model F32,
//   from the client's embedding, or fetched from the previous device with RPC_CMD_GET_TENSOR, a request and a
//   response, because two RPC servers do not copy to each other: cpy_tensor_async is NULL), the positions and the
//   attention mask. Then RPC_CMD_GRAPH_RECOMPUTE (4 B: the device; the graph serialised once is reused while the
//   split is unchanged, which it is from one decode step to the next), asynchronous. At the end the client fetches
//   the logits (vocab F32) from the last device and samples.
// - rpc-server computes with the ggml CPU backend on --threads threads, by default hardware_concurrency() / 2
//   (rpc-server.cpp): 2 on a 4-core Pi. ggml's CPU backend ends every graph node with a barrier across its threads.
//
// Modelled as that: node 0 runs the client and the first rpc-server (to use its RAM, the usual set-up; loopback
// messages between the two are free here), nodes 1.. one rpc-server each. Not modelled: the client's graph build
// and scheduling per token (a few ms of CPU on a Pi, not found measured), builds before graph reuse (they send
// every split's graph, about 296 B per tensor, each token), prompt batching (a prefill runs token by token here).

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/partition.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/util/concat.hpp"
#include "shardsim/util/error.hpp"
#include "task_list.hpp"

namespace shardsim::plan {
namespace {

using hw::NumberFormat;

// Bytes of RPC framing around a payload (ggml-rpc.cpp).
constexpr std::int64_t kCommandHeader = 1 + 8;    // cmd, request size
constexpr std::int64_t kResponseHeader = 8;       // response size
constexpr std::int64_t kRpcTensor = 296;          // sizeof(rpc_tensor)
constexpr std::int64_t kSetTensorExtra = kRpcTensor + 8;       // rpc_tensor, offset, then the bytes
constexpr std::int64_t kGetTensorRequest = kRpcTensor + 8 + 8;  // rpc_tensor, offset, size
constexpr std::int64_t kGraphRecompute = 4;       // the device index
using Shape = LayerShape;

Bytes set_tensor(std::int64_t payload) { return Bytes{kCommandHeader + kSetTensorExtra + payload}; }

// The layers of device d: [first[d], first[d + 1]), the output layer being number `layers` (llama-model.cpp: over
// act = layers + 1, layer il goes to the first device whose cumulative share exceeds il / act; the last device
// takes what rounding leaves).
std::vector<std::int64_t> layer_starts(const std::vector<double>& shares, std::int64_t layers) {
  const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
  std::vector<double> cumulative;
  double sum = 0;
  for (double s : shares) cumulative.push_back((sum += s) / total);
  const std::int64_t act = layers + 1;
  const auto devices = static_cast<std::int64_t>(shares.size());
  std::vector<std::int64_t> first(shares.size() + 1, 0);
  for (std::int64_t il = 0; il < act; ++il) {
    const double at = static_cast<double>(il) / static_cast<double>(act);
    const std::int64_t d =
        std::min<std::int64_t>(std::upper_bound(cumulative.begin(), cumulative.end(), at) - cumulative.begin(),
                               devices - 1);
    // Layers go to devices in order: every device after d starts after il.
    for (std::int64_t later = d + 1; later <= devices; ++later) first[static_cast<std::size_t>(later)] = il + 1;
  }
  return first;
}

// The bytes the client sets on a device before its split runs: the hidden state, the positions, the mask (one row
// of the KV cells in use, padded to 256 cells, F32), and the graph recompute command.
Bytes split_inputs(const Shape& s) {
  const std::int64_t cells = (s.context + 255) / 256 * 256;
  return set_tensor(4 * s.dim) + set_tensor(4) + set_tensor(4 * cells) + Bytes{kCommandHeader + kGraphRecompute};
}

OpGraph token(const Shape& s, const std::vector<std::int64_t>& first) {
  OpGraph graph;
  const auto devices = static_cast<std::int64_t>(first.size()) - 1;
  const int nodes = static_cast<int>(devices);
  TaskList start("start", nodes);
  start.compute("embedding", 0, vector_pass(s.dim, 0, hw::bytes_per_value(s.weights), 4, 1));
  graph.blocks.push_back(start.finish());
  NodeId previous = 0;  // where the hidden state is: node 0 holds the embedding's
  for (std::int64_t d = 0; d < devices; ++d) {
    const std::int64_t count = std::min(first[d + 1], s.layers) - std::min(first[d], s.layers);
    const bool output_here = first[d] <= s.layers && s.layers < first[d + 1];
    if (count == 0 && !output_here) continue;
    const auto node = static_cast<NodeId>(d);
    if (previous != 0 || node != 0) {
      TaskList handoff(concat("to device ", d), nodes);
      // The previous remote device answers the client's request for its output (sent with that device's inputs).
      if (previous != 0) handoff.send("hidden", previous, 0, Bytes{kResponseHeader + 4 * s.dim});
      // This device's inputs and graph command, and the request for its output, back to back on one connection.
      if (node != 0) {
        handoff.send("inputs", 0, node, split_inputs(s) + Bytes{kCommandHeader + kGetTensorRequest});
      }
      graph.blocks.push_back(handoff.finish());
    }
    if (count > 0) {
      TaskList layers(concat("layers on device ", d), nodes);
      decoder_layer(layers, s, node, NumberFormat::q8_0);
      graph.blocks.push_back(layers.finish(count));
    }
    if (output_here) {
      TaskList output("output", nodes);
      output.compute("output_norm", node, vector_pass(s.dim, 4, 8, 4, s.threads, 2));
      output.compute("lm_head", node, matmul(s.vocab, s.dim, s.weights, NumberFormat::q8_0, s.threads));
      if (node != 0) output.send("logits", node, 0, Bytes{kResponseHeader + 4 * s.vocab});
      output.compute("sample", 0, vector_pass(s.vocab, 20, 8, 4, 1));
      graph.blocks.push_back(output.finish());
    }
    previous = node;
  }
  return graph;
}

// What device d holds: its layers' weights and KV cache (max_seq_len cells), the output layer's where it runs, and
// on node 0 the token embedding.
RankFootprint footprint(const workload::TransformerSpec& spec, const Shape& s, const std::vector<std::int64_t>& first,
                        std::int64_t seq_len, std::int64_t d) {
  const std::int64_t layer_params = s.dim * (s.dim + 2 * s.kv) + s.dim * s.dim + 3 * s.dim * s.hid;
  const std::int64_t count = std::min(first[d + 1], s.layers) - std::min(first[d], s.layers);
  RankFootprint f;
  f.params = count * layer_params;
  f.weights = hw::bytes_for_rows(s.weights, count * (s.dim + 2 * s.kv + s.dim + 2 * s.hid), s.dim) +
              hw::bytes_for_rows(s.weights, count * s.dim, s.hid) + Bytes{4 * count * 2 * s.dim};
  if (first[d] <= s.layers && s.layers < first[d + 1]) {
    f.params += s.vocab * s.dim;
    f.weights += hw::bytes_for_rows(s.weights, s.vocab, s.dim) + Bytes{4 * s.dim};
  }
  if (d == 0) {
    f.params += s.vocab * s.dim;
    f.weights += hw::bytes_for_rows(s.weights, s.vocab, s.dim);
  }
  f.kv_cache = hw::bytes_for(spec.kv_format, 2 * count * seq_len * s.kv);
  f.activations = Bytes{4 * (4 * s.dim + 2 * s.hid + s.heads * seq_len) + (d == 0 ? 4 * s.vocab : 0)};
  return f;
}

std::optional<Problem> rpc_problem(const workload::TransformerSpec& spec, const PlanSpec& plan) {
  if (std::optional<Problem> problem = dense_llama_problem(spec, "llama.cpp-rpc")) return problem;
  const NumberFormat w = spec.weight_format;
  if (w == NumberFormat::bf16) {
    return Problem{"runtime", "llama.cpp-rpc is modelled for q4_0, q8_0, the K-quants, fp16 and fp32 weights, not bf16"};
  }
  if (!plan.runtime.split.empty() && static_cast<int>(plan.runtime.split.size()) != plan.nodes) {
    return Problem{"tensor_split", concat("gives ", plan.runtime.split.size(), " shares for ", plan.nodes,
                                          " devices (plan.nodes)")};
  }
  return std::nullopt;
}

// "3,1,1": one non-negative share per device, not all zero (llama.cpp's --tensor-split).
std::optional<std::vector<double>> parse_split(const std::string& text) {
  std::optional<std::vector<double>> out = parse_weights(text, true);
  if (!out || std::accumulate(out->begin(), out->end(), 0.0) <= 0) return std::nullopt;
  for (const double w : *out) {
    if (w > 1e9) return std::nullopt;
  }
  return out;
}

class LlamaRpcRuntime final : public Strategy {
 public:
  std::string_view name() const override { return "llama.cpp-rpc"; }
  bool is_runtime() const override { return true; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    if (!ctx.model.transformer) keys.fail("runtime", "llama.cpp-rpc runs a [transformer] model");
    const workload::TransformerSpec& model = *ctx.model.transformer;
    if (keys.has("runtime_version")) {
      keys.fail("runtime_version", "llama.cpp-rpc is modelled as one behaviour (graph reuse, ggml-rpc.cpp at "
                                   "004d67e); leave runtime_version out");
    }
    spec.runtime.version = "004d67e";
    if (ctx.run.batch != 1) keys.fail("runtime", "llama.cpp-rpc is modelled for one sequence: run.batch must be 1");
    // rpc-server's default: half the hardware threads.
    const int cores = ctx.topology.node(node_of_rank(spec, 0)).cores;
    spec.runtime.threads = static_cast<int>(integer_in(keys, "threads", std::max(1, cores / 2), 1, 256));
    spec.runtime.max_seq_len = integer_in(keys, "max_seq_len", std::min<std::int64_t>(4096, model.max_context), 1,
                                          model.max_context);
    const std::int64_t available = available_nodes(ctx.topology, spec);
    spec.nodes = read_nodes(keys, available, available, available);
    if (const std::optional<std::string> text = keys.string("tensor_split")) {
      const std::optional<std::vector<double>> split = parse_split(*text);
      if (!split) keys.fail("tensor_split", "expected non-negative shares separated by commas, not all zero: \"3,1,1\"");
      spec.runtime.split = *split;
    } else {
      // The memory each rpc-server reports for its CPU device: the board's RAM.
      for (int d = 0; d < spec.nodes; ++d) {
        spec.runtime.split.push_back(static_cast<double>(ctx.topology.node(node_of_rank(spec, d)).ram.count));
      }
    }
    if (std::optional<Problem> problem = rpc_problem(model, spec)) fail_at(keys, *problem, "runtime");
  }

  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& plan,
                        std::int64_t) const override {
    const workload::TransformerSpec& spec = *model.transformer;
    require(!rpc_problem(spec, plan) && pass.batch == 1, "llama.cpp-rpc plan: invalid");
    Shape s{spec.d_model, spec.kv_width(), spec.d_ff, spec.vocab, spec.layers, pass.context,
            spec.resolved_head_dim(), spec.heads, spec.weight_format, spec.kv_format, plan.runtime.threads};
    const std::vector<std::int64_t> first = layer_starts(plan.runtime.split, s.layers);
    PlannedWorkload out;
    for (int d = 0; d < plan.nodes; ++d) out.nodes.push_back(d);
    const std::int64_t from = pass.kind == workload::PassKind::prefill ? 1 : pass.context;
    for (std::int64_t context = from; context <= pass.context; ++context) {
      s.context = context;
      for (Block& b : token(s, first).blocks) out.graph.blocks.push_back(std::move(b));
    }
    for (int d = 0; d < plan.nodes; ++d) out.footprint.push_back(footprint(spec, s, first, plan.runtime.max_seq_len, d));
    return out;
  }

  bool has_collectives() const override { return false; }
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec&, bool) const override {
    return {};
  }

  std::string describe(const Model& model, const PlanSpec& spec, const workload::RunOptions& run) const override {
    const std::vector<std::int64_t> first = layer_starts(spec.runtime.split, model.transformer->layers);
    std::string layers;
    for (std::size_t d = 0; d + 1 < first.size(); ++d) {
      const std::int64_t count = std::min(first[d + 1], model.transformer->layers) -
                                 std::min(first[d], model.transformer->layers);
      layers += concat(d == 0 ? "" : "+", count);
    }
    return concat("llama.cpp-rpc (ggml-rpc 004d67e) on ", spec.nodes, spec.nodes == 1 ? " device" : " devices",
                  ", layers ", layers, ", ", spec.runtime.threads, spec.runtime.threads == 1 ? " thread" : " threads",
                  " each, context ", run.context, " tokens");
  }
};

}  // namespace

const Strategy& llama_rpc_runtime() {
  static const LlamaRpcRuntime unit;
  return unit;
}

}  // namespace shardsim::plan
