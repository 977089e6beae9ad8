#pragma once
// How a runtime's plan is written down (the runtimes' units: dllama_runtime.cpp, llama_rpc_runtime.cpp,
// exo_runtime.cpp): every node works through its own task list in order, as a runtime's executor loop does, so a
// node's next op waits for the one before it on that node; a sync (a collective, or one message) starts on each
// member once that member is done with what came before; and every task, syncs included, ends with a barrier
// across the node's threads, which is the node's op_overhead (hw/roofline.hpp). A sync's barrier is paid by the
// member's next compute op (its `tasks` count), or by a closing op of no work when nothing follows.
//
// Work of one task, from its shape: a matmul of `out x in` weights in a format, on an input in another; an
// element-wise pass over a vector. Sizes in bytes, FLOPs counted as workload/transformer_spec.hpp counts them
// (a multiply-add is two).

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "shardsim/hw/number_format.hpp"
#include "shardsim/hw/roofline.hpp"
#include "shardsim/plan/op_graph.hpp"
#include "shardsim/util/problem.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

class TaskList {
 public:
  TaskList(std::string block_name, int nodes);

  // A compute task on `node`, after the node's previous op. `work.tasks` is the runtime tasks it stands for; the
  // barriers of the syncs since the node's last compute op are added to it.
  OpId compute(std::string label, NodeId node, hw::ComputeWork work);
  // A sync among `members` (members[rank] is a node), each rank starting after its node's previous op. `tasks`
  // runtime tasks (sync steps) it stands for on every member.
  OpId sync(std::string label, collective::CollectiveSpec spec, std::vector<NodeId> members, int io_threads = 1,
            Bytes send_chunk = Bytes{0}, std::int64_t tasks = 1);
  // One message from `src` to `dst` (a sync of two).
  OpId send(std::string label, NodeId src, NodeId dst, Bytes bytes, int io_threads = 1, Bytes send_chunk = Bytes{0});

  // The block, with a closing op on every node that still owes a sync's barrier.
  Block finish(std::int64_t repeat = 1);

 private:
  Block block_;
  std::vector<OpId> last_;              // per node, its latest op (-1: none yet)
  std::vector<std::int64_t> barriers_;  // per node, sync tasks whose barrier its next compute op pays
};

// A matmul of one row: `out x in` weights in `weights`, the input vector in `input`, the output in fp32. Its kernel
// is the weights' format when the input is quantized to q8_0 (the q4_0 x q8_0 and q8_0 x q8_0 dot products of
// llama.cpp and distributed-llama), else the node's generic rate (weights dequantized and multiplied in fp32).
hw::ComputeWork matmul(std::int64_t out, std::int64_t in, hw::NumberFormat weights, hw::NumberFormat input,
                       int threads, std::int64_t tasks = 1);

// An element-wise pass over `elements` values: `flops` per value, `read` and `written` bytes per value.
hw::ComputeWork vector_pass(std::int64_t elements, std::int64_t flops, double read, double written, int threads,
                            std::int64_t tasks = 1);

// The runtimes' task lists are written for dense Llama-style models (SwiGLU, RMSNorm, rotary positions, no
// biases, one expert): anything else is a problem at plan.runtime naming `runtime`.
std::optional<Problem> dense_llama_problem(const workload::TransformerSpec& spec, std::string_view runtime);

// A dense Llama-style model as a layer-by-layer runtime sees it (llama.cpp-rpc, exo): sizes, the context a decode
// step attends over, the formats, the threads a node computes on.
struct LayerShape {
  std::int64_t dim, kv, hid, vocab, layers, context, head_dim, heads;
  hw::NumberFormat weights, kv_format;
  int threads;
};

// One decoder layer of batch 1 on `node`, as the ggml-style graph nodes a CPU backend runs, each ending with a
// barrier across the threads (23 of them): attn_norm (rms_norm, mul), q, k, v, rope q and k, the K and V cache
// stores, k*q, soft_max, v*kq, the merge, wo, the residual add, ffn_norm (rms_norm, mul), gate, up, silu, mul,
// down, the residual add. `input` is the format the matmuls' input row is quantized to (q8_0: the weights'
// kernel; else the node's generic rate).
void decoder_layer(TaskList& t, const LayerShape& s, NodeId node, hw::NumberFormat input);

}  // namespace shardsim::plan
