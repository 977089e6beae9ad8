#pragma once
// distributed-llama (github.com/b4rtaz/distributed-llama) as a runtime plan: the work and the traffic of a decode
// token laid out exactly as that program does it, version by version. Read from its source at every tag
// (../shared/reference/runtimes.md summarises it; the classes below name the tag ranges and the commits):
//
//   class  versions                 where the work runs                                          syncs / layer
//   A      0.1.0, 0.1.1, 0.2.0      root: norms, residuals, attention over the whole F32 KV cache  8
//                                   (one thread), the LM head; all nodes: row slices of every
//                                   matmul (q, k, v, wo, w1, w3, w2: out/N rows each)
//   B      0.3.0, 0.3.1, 0.4.0      as A; 0.3.x send a 1-byte poke per token, 0.4.0 a 2-byte      8 (0.3.1: 10,
//                                   position; 0.3.1 syncs Q, K and V apart and runs the root's     Q, K, V apart)
//                                   attention over its threads by head; 0.4.0 merges them again
//                                   and rotates q and k on every node
//   C      0.5.0 .. 0.7.0           attention on every node (heads/N each, a kvDim/N slice of the  6
//                                   cache); wo split by input columns (a full-dim partial sum per
//                                   node, summed on the root)
//   D      0.7.1 .. 0.10.x          w2 by input columns too: two gathers of Q80(dim) partials and   4
//                                   two broadcasts of Q80(dim) per layer
//   mesh   0.11.0 .. 0.16.x         a full TCP mesh: every node runs the norms and residuals and    2 (all-to-all)
//                                   exchanges its Q80(dim) partial sum with every other node; the
//                                   LM head split by vocabulary, F32 logits gathered to the root;
//                                   per token an 8-byte control packet (0.11: a 4-byte position)
//                                   and x as F32 to every worker; 0.12.0 on: one thread by default;
//                                   0.12.4 on: every send() capped at 4096 bytes
//
// Syncs carry the buffer format, Q80 by default ("Q80(n)" = 34 n / 32 bytes), or F32 (--buffer-float-type f32).
// Per layer the root sends each worker, and receives from it (A/B, Llama 2 7B's kvDim = dim):
//   A/B: R->W 3 Q80(dim) + (N-1) Q80(hid)/N (xb, attention output, ffn input, the hidden slices a worker lacks, one
//        message each); W->R (Q80(dim) + 2 Q80(kvDim) + Q80(dim) + Q80(hid) + Q80(dim)) / N, in six messages
//   C:   R->W 2 Q80(dim) + (N-1) Q80(hid)/N;  W->R Q80(dim) + Q80(hid)/N + Q80(dim)/N
//   D:   R->W 2 Q80(dim);  W->R 2 Q80(dim)
//   mesh: every node sends every other 2 Q80(dim)
// which reproduces the bytes per token its README publishes to the KiB (tests/plan/dllama_runtime_test.cpp).
//
// Threads: a node's tasks run on its T threads (--nthreads; default 4, 1 from 0.12.0); single-threaded tasks are
// marked so; every task, sync steps included, ends with a spin barrier across the threads (the node's op_overhead
// per task). The root serves its worker sockets from its threads (socket i on thread i mod T), a worker does its
// network I/O on thread 0 (in the mesh each thread serves its share of the sockets).
//
// Modelled: every task of the task lists (with its matmul slice, its element-wise work and its barrier), every sync
// message with its size, sender thread and send() chunking, the per-token control messages, the root-only work
// (attention over all heads in A and B, the LM head with an F32 input in A to D, sampling over the vocabulary).
// Not modelled: the threads created and joined per token (T - 1 pthread_create and join, tens of microseconds),
// blocking versus non-blocking sockets (a thread's messages go one after another either way), a prompt processed in
// batches of 32 (0.12 on; a prefill here is one token per forward, as up to 0.11), Grok and Mixtral task lists.
// The network under these messages (a few KB each, N - 1 at once from one node): each pays the node type's
// send_overhead per send() call on its sender's I/O thread and recv_overhead on its receiver, the TCP/IP framing
// (net/network_model.hpp), the links' latency and serialization and the switch's forwarding; not modelled are the
// switch's buffers (an incast of N - 1 workers answering at once queues at the root's port, never drops), TCP loss
// and retransmission, delayed ACKs, and the CPU time the spinning compute threads take from the kernel's network
// processing (all interrupts of a Pi's NIC land on one core).

#include <optional>
#include <string>

#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/planned_workload.hpp"
#include "shardsim/util/problem.hpp"
#include "shardsim/workload/pass_shape.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

enum class DllamaClass { a, b, c, d, mesh };

// What a version does, as far as the simulation can tell versions apart.
struct DllamaBehaviour {
  DllamaClass kind = DllamaClass::a;
  int major = 0, minor = 0, patch = 0;
  int default_threads = 4;
  Bytes control;                      // bytes the root sends each worker first in a token (poke, position, packet)
  bool separate_qkv = false;          // 0.3.1: Q, K and V synced one after another
  bool root_attention_threaded = false;  // 0.3.1, 0.4.0: the root's attention split over its threads by head
  bool node_rope = false;             // 0.4.0 on: every node rotates its own q and k
  int root_attention_tasks = 1;       // the root's attention tasks per layer ([t0] steps)
  bool final_tasks_per_layer = false;  // A: the final norm and LM head tasks sit in every layer's list (no-ops)
  bool caps_node_kv_heads = false;    // 0.7.3 on: refuses more nodes than KV heads
  Bytes send_chunk;                   // 0.12.4 on: 4096 (0: one send() per message)
  std::int64_t default_seq_len = 0;   // KV positions allocated when the model's own is not used (0: the model's)
};

// "0.1.0" .. "0.16.4" (a leading "v" allowed); nullopt for anything that is not a modelled release.
std::optional<DllamaBehaviour> dllama_behaviour(const std::string& version);

// None when distributed-llama `behaviour` can run `spec` on `nodes` nodes with syncs in `buffer`; else why not,
// naming the key to blame (nodes, runtime_version, buffer, or "model" for what the runtime cannot load).
std::optional<Problem> dllama_problem(const workload::TransformerSpec& spec, int nodes,
                                      const DllamaBehaviour& behaviour, hw::NumberFormat buffer);

// One pass (decode step, or a prefill run token by token) as distributed-llama runs it, on plan.nodes nodes with
// plan.runtime's version, threads, buffer format and KV allocation. Preconditions: dllama_problem is none.
PlannedWorkload build_dllama_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                  const PlanSpec& plan);

}  // namespace shardsim::plan
