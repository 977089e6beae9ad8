// distributed-llama's task lists, by behaviour class (dllama_runtime.hpp). Facts from its source, at the tags named
// (file@commit): the A task lists in src/transformer-tasks.cpp@7eb77ca (0.1.0) and src/llama2-tasks.cpp@620644a
// (0.2.0); B in src/llama2-tasks.cpp@35694a4 (0.3.0), @37fad6a (0.3.1), @e93d1e6 (0.4.0) with the poke and position
// in src/tasks.cpp; C in src/llama2-tasks.cpp@c9bb613 (0.5.0, PR #46); D in src/llama2-tasks.cpp@b4b3842 (0.7.1,
// PR #64), the N <= KV heads check in src/transformer.cpp@df1d360 (0.7.3), the 4-byte position in @4b8a0ca
// (0.10.0); the mesh in src/llama2-tasks.cpp@8b1cf89 (0.11.0, PR #136) and src/llm.cpp + src/nn/*@121bc8c (0.12.0),
// the 4096-byte send() cap in src/nn/nn-network.cpp@a4964a0 (0.12.4). Sockets: src/socket.cpp at each tag (the root
// serves socket i from thread i mod T, a worker reads and writes on thread 0). The KV cache is F32 in every version;
// the converter of 0.1.0 to 0.4.0 fixes seqLen at 2048 (converter/converter.py@7eb77ca), later versions take the
// model's.

#include <algorithm>
#include <array>
#include <charconv>

#include "shardsim/plan/dllama_runtime.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/util/concat.hpp"
#include "shardsim/util/error.hpp"
#include "task_list.hpp"

namespace shardsim::plan {
namespace {

using hw::NumberFormat;

bool power_of_two(std::int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// Sizes of one token's work, and where it runs.
struct Shape {
  std::int64_t n, dim, kv, hid, heads, kv_heads, head_dim, vocab, layers;
  std::int64_t context;  // positions attended, its own included
  int threads;
  NumberFormat weights, buffer;

  Bytes sync(std::int64_t values) const { return hw::bytes_for(buffer, values); }  // a whole vector, as synced
  Bytes slice(std::int64_t values) const { return Bytes{sync(values).count / n}; }  // 1/N of it (DL's bytes / N)
  double buffer_per_value() const { return hw::bytes_per_value(buffer); }
};

// The element-wise tasks, per value: FLOPs, bytes read and written. Norms read x and the gains; the [t0] sum of
// squares runs on one thread; quantizing to the buffer format reads F32 and writes the buffer (a copy for F32).
hw::ComputeWork sum_of_squares(std::int64_t n) { return vector_pass(n, 2, 4, 0, 1); }
hw::ComputeWork norm(const Shape& s, std::int64_t n) { return vector_pass(n, 3, 8, 4, s.threads); }
hw::ComputeWork quantize(const Shape& s, std::int64_t n) { return vector_pass(n, 4, 4, s.buffer_per_value(), s.threads); }
hw::ComputeWork dequantize(const Shape& s, std::int64_t n) {
  return vector_pass(n, 2, s.buffer_per_value(), 4, s.threads);
}
hw::ComputeWork add(std::int64_t n, int threads) { return vector_pass(n, 1, 8, 4, threads); }
hw::ComputeWork silu_mul(const Shape& s, std::int64_t n) { return vector_pass(n, 8, 8, 4, s.threads); }
// RoPE over q and k: 0.1.0 to 0.3.0 recompute the angle with powf, cosf and sinf per pair on one thread (about 40
// FLOP a value, derived from their libm costs); later versions read a cached cos/sin table.
hw::ComputeWork rope(std::int64_t n, bool recompute, int threads) {
  return recompute ? vector_pass(n, 40, 4, 4, 1) : vector_pass(n, 6, 8, 4, threads);
}

// Attention of `heads` query heads over `context` cached positions of `kv` K and V values (F32), the new row
// written first: scores (2 head_dim FLOP each), softmax (5), weighted sum (2 head_dim).
hw::ComputeWork attention(const Shape& s, std::int64_t heads, std::int64_t kv, int threads) {
  hw::ComputeWork w;
  w.flops = Flop{heads * s.context * (4 * s.head_dim + 5)};
  w.bytes_read = Bytes{2 * s.context * kv * 4 + heads * s.context * 4 + heads * s.head_dim * 4};
  w.kv_cache_bytes = Bytes{2 * s.context * kv * 4};
  w.bytes_written = Bytes{2 * kv * 4 + heads * s.context * 4 + heads * s.head_dim * 4};
  w.threads = threads;
  return w;
}

collective::CollectiveSpec spec_of(collective::CollectiveKind kind, std::vector<Bytes> pieces) {
  return collective::CollectiveSpec{kind, collective::Algorithm::direct, 0, std::move(pieces)};
}

std::vector<NodeId> all_nodes(std::int64_t n) {
  std::vector<NodeId> out;
  for (std::int64_t i = 0; i < n; ++i) out.push_back(static_cast<NodeId>(i));
  return out;
}

// The syncs of the root-centric classes: the root's message to every worker, every worker's slice to the root.
class Star {
 public:
  Star(TaskList& tasks, const Shape& s, const DllamaBehaviour& b) : t_(tasks), s_(s), b_(b) {}

  void broadcast(const std::string& label, Bytes bytes) {
    std::vector<Bytes> pieces(static_cast<std::size_t>(s_.n), Bytes{});
    pieces[0] = bytes;
    t_.sync(label, spec_of(collective::CollectiveKind::broadcast, std::move(pieces)), all_nodes(s_.n), s_.threads,
            b_.send_chunk);
  }
  void gather(const std::string& label, Bytes per_worker) {
    std::vector<Bytes> pieces(static_cast<std::size_t>(s_.n), per_worker);
    pieces[0] = Bytes{};  // the root's own slice stays where it is
    t_.sync(label, spec_of(collective::CollectiveKind::gather, std::move(pieces)), all_nodes(s_.n), s_.threads,
            b_.send_chunk);
  }
  // syncFfnB: the root sends every worker each hidden slice it lacks, slice by slice, one message each.
  void hidden_slices(const std::string& label) {
    std::vector<NodeId> everyone = all_nodes(s_.n);
    for (std::int64_t slice = 0; slice < s_.n; ++slice) {
      std::vector<NodeId> members{0};
      for (std::int64_t w = 1; w < s_.n; ++w) {
        if (w != slice) members.push_back(static_cast<NodeId>(w));
      }
      if (members.size() < 2) continue;
      std::vector<Bytes> pieces(members.size(), Bytes{});
      pieces[0] = s_.slice(s_.hid);
      // One sync task on every node however many slices: later slices add no barrier.
      t_.sync(concat(label, ".", slice), spec_of(collective::CollectiveKind::broadcast, std::move(pieces)),
              std::move(members), s_.threads, b_.send_chunk, slice == 0 ? 1 : 0);
    }
  }

 private:
  TaskList& t_;
  const Shape& s_;
  const DllamaBehaviour& b_;
};

// One layer of the root-centric classes A and B: the root norms, every node multiplies its row slices, the root
// attends over the whole cache, and every vector the next matmul needs goes round through the root.
void layer_root_attention(TaskList& t, const Shape& s, const DllamaBehaviour& b) {
  Star star(t, s, b);
  const std::int64_t n = s.n;
  const int root_attention_threads = b.root_attention_threaded ? s.threads : 1;
  t.compute("rms_att", 0, sum_of_squares(s.dim));
  t.compute("rms_att_norm", 0, norm(s, s.dim));
  t.compute("quantize_rms_att", 0, quantize(s, s.dim));
  star.broadcast("sync_rms_att", s.sync(s.dim));
  const std::array<std::pair<const char*, std::int64_t>, 3> qkv{{{"q", s.dim}, {"k", s.kv}, {"v", s.kv}}};
  if (b.separate_qkv) {
    for (const auto& [name, out] : qkv) {
      for (std::int64_t r = 0; r < n; ++r) {
        t.compute(concat("att_", name), static_cast<NodeId>(r), matmul(out / n, s.dim, s.weights, s.buffer, s.threads));
        t.compute(concat("quantize_att_", name), static_cast<NodeId>(r),
                  r == 0 ? hw::ComputeWork{} : quantize(s, out / n));
      }
      star.gather(concat("sync_att_", name), s.slice(out));
    }
  } else {
    for (std::int64_t r = 0; r < n; ++r) {
      const auto node = static_cast<NodeId>(r);
      t.compute("qkv", node, matmul((s.dim + 2 * s.kv) / n, s.dim, s.weights, s.buffer, s.threads));
      if (b.node_rope) t.compute("rope", node, rope((s.dim + s.kv) / n, false, s.threads));
      // The root keeps its slice in F32: its quantize task is a no-op (but a task, with its barrier).
      t.compute("quantize_qkv", node, r == 0 ? hw::ComputeWork{} : quantize(s, (s.dim + 2 * s.kv) / n));
    }
    // Three messages per worker (q, k, v), read in three passes.
    star.gather("sync_q", s.slice(s.dim));
    star.gather("sync_k", s.slice(s.kv));
    star.gather("sync_v", s.slice(s.kv));
  }
  t.compute("dequantize_qkv", 0, dequantize(s, (s.dim + 2 * s.kv) * (n - 1) / n));
  if (!b.node_rope) {
    // Counted among the attention's tasks (root_attention_tasks), as the cache copy is.
    const bool recompute = b.minor < 3 || (b.minor == 3 && b.patch == 0);
    hw::ComputeWork r = rope(s.dim + s.kv, recompute, recompute ? 1 : s.threads);
    r.tasks = 0;
    t.compute("rope", 0, r);
  }
  hw::ComputeWork att = attention(s, s.heads, s.kv, root_attention_threads);
  att.tasks = b.root_attention_tasks;
  t.compute("multihead_att", 0, att);
  t.compute("quantize_multihead_att", 0, quantize(s, s.dim));
  star.broadcast("sync_multihead_att", s.sync(s.dim));
  for (std::int64_t r = 0; r < n; ++r) {
    t.compute("att", static_cast<NodeId>(r), matmul(s.dim / n, s.dim, s.weights, s.buffer, s.threads));
    t.compute("quantize_att", static_cast<NodeId>(r), r == 0 ? hw::ComputeWork{} : quantize(s, s.dim / n));
  }
  star.gather("sync_att", s.slice(s.dim));
  t.compute("dequantize_att", 0, dequantize(s, s.dim * (n - 1) / n));
  t.compute("rms_ffn", 0, add(s.dim, 1));  // x += attention's output, then the sum of squares
  t.compute("rms_ffn_norm", 0, norm(s, s.dim));
  t.compute("quantize_rms_ffn", 0, quantize(s, s.dim));
  star.broadcast("sync_rms_ffn", s.sync(s.dim));
  for (std::int64_t r = 0; r < n; ++r) {
    const auto node = static_cast<NodeId>(r);
    t.compute("ffn", node, matmul(2 * s.hid / n, s.dim, s.weights, s.buffer, s.threads));
    hw::ComputeWork act = silu_mul(s, s.hid / n);
    act.tasks = 0;  // part of the ffn task
    t.compute("silu_mul", node, act);
    t.compute("quantize_ffn_a", node, quantize(s, s.hid / n));  // the root's too: it forwards its slice
  }
  star.gather("sync_ffn_a", s.slice(s.hid));
  star.hidden_slices("sync_ffn_b");
  for (std::int64_t r = 0; r < n; ++r) {
    t.compute("ffn2", static_cast<NodeId>(r), matmul(s.dim / n, s.hid, s.weights, s.buffer, s.threads));
    t.compute("quantize_ffn2", static_cast<NodeId>(r), r == 0 ? hw::ComputeWork{} : quantize(s, s.dim / n));
  }
  star.gather("sync_ffn2", s.slice(s.dim));
  t.compute("dequantize_ffn2", 0, dequantize(s, s.dim * (n - 1) / n));
  t.compute("merge_ffn2", 0, add(s.dim, 1));
  // nextBlock on every node; in A the final norm and LM head tasks stand in every layer's list and pass as no-ops.
  for (std::int64_t r = 0; r < n; ++r) {
    t.compute("next_block", static_cast<NodeId>(r), hw::ComputeWork{.tasks = r == 0 && b.final_tasks_per_layer ? 4 : 1});
  }
}

// One layer of classes C and D: attention on every node over its heads and its slice of the cache; wo (and in D
// w2) split by input columns, so every worker sends a full-dim partial sum that the root dequantizes and adds.
void layer_sliced_attention(TaskList& t, const Shape& s, const DllamaBehaviour& b) {
  Star star(t, s, b);
  const std::int64_t n = s.n;
  t.compute("rms_att", 0, sum_of_squares(s.dim));
  t.compute("rms_att_norm", 0, norm(s, s.dim));
  t.compute("quantize_rms_att", 0, quantize(s, s.dim));
  star.broadcast("sync_rms_att", s.sync(s.dim));
  for (std::int64_t r = 0; r < n; ++r) {
    const auto node = static_cast<NodeId>(r);
    t.compute("qkv", node, matmul((s.dim + 2 * s.kv) / n, s.dim, s.weights, s.buffer, s.threads));
    t.compute("rope", node, rope((s.dim + s.kv) / n, false, s.threads));
    t.compute("multihead_att", node, attention(s, s.heads / n, s.kv / n, s.threads));
    t.compute("quantize_multihead_att", node, quantize(s, s.dim / n));
    t.compute("att", node, matmul(s.dim, s.dim / n, s.weights, s.buffer, s.threads));
    if (r > 0) t.compute("quantize_att", node, quantize(s, s.dim));
  }
  star.gather("sync_att", s.sync(s.dim));
  t.compute("dequantize_att", 0, dequantize(s, s.dim * (n - 1)));
  t.compute("merge_att", 0, add(s.dim * n, s.threads));
  t.compute("rms_ffn", 0, sum_of_squares(s.dim));
  t.compute("rms_ffn_norm", 0, norm(s, s.dim));
  t.compute("quantize_rms_ffn", 0, quantize(s, s.dim));
  star.broadcast("sync_rms_ffn", s.sync(s.dim));
  const bool columns = b.kind == DllamaClass::d;  // w2 by input columns: no hidden slices go round
  for (std::int64_t r = 0; r < n; ++r) {
    const auto node = static_cast<NodeId>(r);
    t.compute("ffn", node, matmul(2 * s.hid / n, s.dim, s.weights, s.buffer, s.threads));
    t.compute("silu_mul", node, silu_mul(s, s.hid / n));
    t.compute("quantize_ffn_a", node, quantize(s, s.hid / n));
  }
  if (!columns) {
    star.gather("sync_ffn_a", s.slice(s.hid));
    star.hidden_slices("sync_ffn_b");
  }
  for (std::int64_t r = 0; r < n; ++r) {
    const auto node = static_cast<NodeId>(r);
    t.compute("ffn2", node, columns ? matmul(s.dim, s.hid / n, s.weights, s.buffer, s.threads)
                                    : matmul(s.dim / n, s.hid, s.weights, s.buffer, s.threads));
    if (r > 0) t.compute("quantize_ffn2", node, quantize(s, columns ? s.dim : s.dim / n));
  }
  star.gather("sync_ffn2", columns ? s.sync(s.dim) : s.slice(s.dim));
  t.compute("dequantize_ffn2", 0, dequantize(s, columns ? s.dim * (n - 1) : s.dim * (n - 1) / n));
  t.compute("merge_ffn2", 0, add(columns ? s.dim * n : s.dim, columns ? s.threads : 1));
  for (std::int64_t r = 0; r < n; ++r) t.compute("next_block", static_cast<NodeId>(r), hw::ComputeWork{});
}

// One layer of the mesh: every node does all of it on its slices and exchanges partial sums with every other.
void layer_mesh(TaskList& t, const Shape& s, const DllamaBehaviour& b) {
  const std::int64_t n = s.n;
  auto exchange = [&](const std::string& label) {
    t.sync(label, spec_of(collective::CollectiveKind::all_to_all, std::vector<Bytes>(static_cast<std::size_t>(n), s.sync(s.dim))),
           all_nodes(n), s.threads, b.send_chunk);
  };
  for (std::int64_t r = 0; r < n; ++r) {
    const auto node = static_cast<NodeId>(r);
    t.compute("merge_add", node, n > 1 ? vector_pass(s.dim * n, 3, s.buffer_per_value() + 4, 4, s.threads)
                                       : add(s.dim, s.threads));
    t.compute("inv_rms", node, sum_of_squares(s.dim));
    t.compute("rms_norm", node, norm(s, s.dim));
    t.compute("cast_y", node, quantize(s, s.dim));
    t.compute("q", node, matmul(s.dim / n, s.dim, s.weights, s.buffer, s.threads));
    t.compute("k", node, matmul(s.kv / n, s.dim, s.weights, s.buffer, s.threads));
    t.compute("v", node, matmul(s.kv / n, s.dim, s.weights, s.buffer, s.threads));
    hw::ComputeWork r_q = rope(s.dim / n, false, s.threads);
    r_q.tasks = 4;  // rope q, rope k, shift k, shift v (cache rows)
    t.compute("rope_shift", node, r_q);
    t.compute("multihead_att", node, attention(s, s.heads / n, s.kv / n, s.threads));
    t.compute("cast_y2", node, quantize(s, s.dim / n));
    t.compute("wo", node, matmul(s.dim, s.dim / n, s.weights, s.buffer, s.threads));
    t.compute("cast_d", node, quantize(s, s.dim));
  }
  exchange("sync_att");
  for (std::int64_t r = 0; r < n; ++r) {
    const auto node = static_cast<NodeId>(r);
    t.compute("merge_add2", node, vector_pass(s.dim * n, 3, s.buffer_per_value() + 4, 4, s.threads));
    t.compute("inv_rms", node, sum_of_squares(s.dim));
    t.compute("rms_norm", node, norm(s, s.dim));
    t.compute("cast_y3", node, quantize(s, s.dim));
    t.compute("w1", node, matmul(s.hid / n, s.dim, s.weights, s.buffer, s.threads));
    t.compute("w3", node, matmul(s.hid / n, s.dim, s.weights, s.buffer, s.threads));
    hw::ComputeWork act = silu_mul(s, s.hid / n);
    act.tasks = 2;  // silu, mul
    t.compute("silu_mul", node, act);
    t.compute("cast_d2", node, quantize(s, s.hid / n));
    t.compute("w2", node, matmul(s.dim, s.hid / n, s.weights, s.buffer, s.threads));
    t.compute("cast_d3", node, quantize(s, s.dim));
  }
  exchange("sync_ffn");
}

// The token's start: the root's control message to every worker (the poke, the position, or the mesh's control
// packet and x as F32), and the embedding row on the root.
Block token_start(const Shape& s, const DllamaBehaviour& b) {
  TaskList t("start", static_cast<int>(s.n));
  Star star(t, s, b);
  if (s.n > 1 && b.control.count > 0) star.broadcast("control", b.control);
  t.compute("embedding", 0, vector_pass(s.dim, 0, 4, 4, s.threads));
  if (b.kind == DllamaClass::mesh && s.n > 1) star.broadcast("sync_x", Bytes{4 * s.dim});
  return t.finish();
}

// The token's end: the final norm and the LM head (the root's alone, F32 input against the weights, up to class D;
// every node's vocabulary slice in the mesh, its F32 logits gathered to the root), then sampling on the root's main
// thread (softmax and a top-p sort over the vocabulary, about 20 FLOP a logit).
Block token_end(const Shape& s, const DllamaBehaviour& b) {
  TaskList t("end", static_cast<int>(s.n));
  if (b.kind == DllamaClass::mesh) {
    for (std::int64_t r = 0; r < s.n; ++r) {
      const auto node = static_cast<NodeId>(r);
      t.compute("final_merge", node, vector_pass(s.dim * s.n, 3, s.buffer_per_value() + 4, 4, s.threads));
      t.compute("final_norm", node, norm(s, s.dim));
      t.compute("final_cast", node, quantize(s, s.dim));
      t.compute("logits", node, matmul(s.vocab / s.n, s.dim, s.weights, s.buffer, s.threads));
    }
    if (s.n > 1) {
      std::vector<Bytes> pieces(static_cast<std::size_t>(s.n), Bytes{4 * (s.vocab / s.n)});
      pieces[0] = Bytes{};
      t.sync("sync_logits", spec_of(collective::CollectiveKind::gather, std::move(pieces)), all_nodes(s.n), s.threads,
             b.send_chunk);
    }
  } else {
    t.compute("rms_final", 0, sum_of_squares(s.dim));
    t.compute("rms_final_norm", 0, norm(s, s.dim));
    t.compute("finalize", 0, matmul(s.vocab, s.dim, s.weights, NumberFormat::fp32, s.threads));
  }
  t.compute("sample", 0, vector_pass(s.vocab, 20, 8, 4, 1));
  return t.finish();
}

Shape shape_of(const workload::TransformerSpec& spec, const workload::PassShape& pass, const PlanSpec& plan,
               const DllamaBehaviour& b) {
  Shape s;
  s.n = plan.nodes;
  s.dim = spec.d_model;
  s.kv = spec.kv_width();
  s.hid = spec.d_ff;
  s.heads = spec.heads;
  s.kv_heads = spec.resolved_kv_heads();
  s.head_dim = spec.resolved_head_dim();
  s.vocab = spec.vocab;
  s.layers = spec.layers;
  s.context = pass.context;
  s.threads = plan.runtime.threads > 0 ? plan.runtime.threads : b.default_threads;
  s.weights = spec.weight_format;
  s.buffer = plan.runtime.buffer;
  return s;
}

// The token's three blocks: its start, the layers (alike, so one is simulated and repeated), its end.
void append_token(OpGraph& graph, const Shape& s, const DllamaBehaviour& b) {
  graph.blocks.push_back(token_start(s, b));
  TaskList layer("layer", static_cast<int>(s.n));
  switch (b.kind) {
    case DllamaClass::a:
    case DllamaClass::b: layer_root_attention(layer, s, b); break;
    case DllamaClass::c:
    case DllamaClass::d: layer_sliced_attention(layer, s, b); break;
    case DllamaClass::mesh: layer_mesh(layer, s, b); break;
  }
  graph.blocks.push_back(layer.finish(s.layers));
  graph.blocks.push_back(token_end(s, b));
}

// What node r holds: its slices of the layers' matmuls; the root also the F32 embedding and, up to class D, the
// whole LM head (the mesh: every node its vocabulary slice); the F32 KV cache of max_seq_len positions, the root's
// whole in classes A and B, a 1/N slice on every node after.
RankFootprint footprint(const workload::TransformerSpec& spec, const Shape& s, const DllamaBehaviour& b,
                        std::int64_t seq_len, std::int64_t r) {
  const std::int64_t layer_matmul = s.dim * (s.dim + 2 * s.kv) + s.dim * s.dim + 3 * s.dim * s.hid;
  RankFootprint f;
  f.params = s.layers * layer_matmul / s.n;
  f.weights = hw::bytes_for(spec.weight_format, f.params);
  const bool mesh = b.kind == DllamaClass::mesh;
  const std::int64_t head_rows = mesh ? s.vocab / s.n : (r == 0 ? s.vocab : 0);
  f.params += head_rows * s.dim;
  f.weights += hw::bytes_for_rows(spec.weight_format, head_rows, s.dim);
  if (r == 0) {
    f.params += s.vocab * s.dim + (2 * s.layers + 1) * s.dim;  // the embedding and the norms' gains, F32
    f.weights += Bytes{4 * (s.vocab * s.dim + (2 * s.layers + 1) * s.dim)};
  }
  const bool root_cache = b.kind == DllamaClass::a || b.kind == DllamaClass::b;
  const std::int64_t kv_here = root_cache ? (r == 0 ? s.kv : 0) : s.kv / s.n;
  f.kv_cache = Bytes{2 * s.layers * seq_len * kv_here * 4};
  f.activations = Bytes{4 * (4 * s.dim + 2 * s.hid + s.heads * seq_len) + (r == 0 ? 4 * s.vocab : 0)};
  return f;
}

}  // namespace

std::optional<DllamaBehaviour> dllama_behaviour(const std::string& version) {
  std::string_view v = version;
  if (!v.empty() && v.front() == 'v') v.remove_prefix(1);
  std::array<int, 3> parts{};
  const char* p = v.data();
  const char* end = v.data() + v.size();
  for (std::size_t i = 0; i < 3; ++i) {
    const auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc{} || (i < 2 && (next == end || *next != '.'))) return std::nullopt;
    p = i < 2 ? next + 1 : next;
  }
  if (p != end) return std::nullopt;
  DllamaBehaviour b;
  b.major = parts[0];
  b.minor = parts[1];
  b.patch = parts[2];
  const auto at_least = [&](int minor, int patch) { return b.minor > minor || (b.minor == minor && b.patch >= patch); };
  // The released tags: 0.1.0 to 0.16.4 (v0.16.4 = e819dc6, the newest at the time of reading).
  if (b.major != 0 || b.minor < 1 || b.minor > 16 || (b.minor == 16 && b.patch > 4)) return std::nullopt;
  if (!at_least(3, 0)) {
    b.kind = DllamaClass::a;
    b.final_tasks_per_layer = true;
    b.root_attention_tasks = b.minor == 2 ? 3 : 1;  // 0.2.0: cache copy, RoPE, heads
    b.default_seq_len = 2048;
  } else if (!at_least(5, 0)) {
    b.kind = DllamaClass::b;
    b.control = Bytes{b.minor == 4 ? 2 : 1};
    b.separate_qkv = b.minor == 3 && b.patch >= 1;
    b.root_attention_threaded = at_least(3, 1);
    b.root_attention_tasks = b.minor == 4 ? 2 : 3;  // cache copy, RoPE, heads; 0.4.0: RoPE on the nodes
    b.node_rope = b.minor == 4;
    b.default_seq_len = 2048;
  } else if (!at_least(7, 1)) {
    b.kind = DllamaClass::c;
    b.control = Bytes{2};
  } else if (!at_least(11, 0)) {
    b.kind = DllamaClass::d;
    b.control = Bytes{at_least(10, 0) ? 4 : 2};
    b.caps_node_kv_heads = at_least(7, 3);
  } else {
    b.kind = DllamaClass::mesh;
    b.control = Bytes{at_least(12, 0) ? 8 : 4};
    b.caps_node_kv_heads = true;
    b.default_threads = at_least(12, 0) ? 1 : 4;
    b.send_chunk = Bytes{at_least(12, 4) ? 4096 : 0};
  }
  return b;
}

std::optional<Problem> dllama_problem(const workload::TransformerSpec& spec, int nodes,
                                      const DllamaBehaviour& b, hw::NumberFormat buffer) {
  if (std::optional<Problem> problem = dense_llama_problem(spec, "distributed-llama")) return problem;
  const NumberFormat w = spec.weight_format;
  if (w != NumberFormat::q4_0 && w != NumberFormat::q8_0 && w != NumberFormat::fp32 && w != NumberFormat::fp16) {
    return Problem{"runtime", concat("distributed-llama loads q4_0, q8_0, fp16 or fp32 weights, not ",
                                     std::string(hw::to_string(w)))};
  }
  if (buffer != NumberFormat::q8_0 && buffer != NumberFormat::fp32) {
    return Problem{"buffer", "distributed-llama syncs q8_0 or fp32 buffers (--buffer-float-type q80 or f32)"};
  }
  if (w == NumberFormat::q4_0 && buffer != NumberFormat::q8_0 && b.kind == DllamaClass::mesh) {
    return Problem{"buffer", "from 0.11 distributed-llama runs q4_0 weights with q8_0 buffers only"};
  }
  if (!power_of_two(nodes)) {
    return Problem{"nodes", concat("distributed-llama runs on 2^n nodes (1, 2, 4, 8, ...), not ", nodes)};
  }
  const std::int64_t n = nodes;
  const std::int64_t kv_heads = spec.resolved_kv_heads();
  if (b.caps_node_kv_heads && n > kv_heads) {
    return Problem{"nodes", concat("distributed-llama (0.7.3 on) needs at most as many nodes as KV heads (",
                                   kv_heads, "), not ", n)};
  }
  const std::int64_t block = buffer == NumberFormat::q8_0 ? 32 : 1;
  for (const auto& [name, width] : std::array<std::pair<const char*, std::int64_t>, 4>{
           {{"d_model", spec.d_model}, {"d_ff", spec.d_ff}, {"the KV width", spec.kv_width()}, {"heads", spec.heads}}}) {
    const std::int64_t unit = std::string_view(name) == "heads" ? 1 : block;
    if (width % (n * unit) != 0) {
      return Problem{"nodes", concat(name, " (", width, ") must split into ", n, " slices",
                                     unit > 1 ? " of whole 32-value blocks" : "", " for distributed-llama")};
    }
  }
  if (b.kind == DllamaClass::mesh && spec.vocab % n != 0) {
    return Problem{"nodes", concat("the vocabulary (", spec.vocab, ") must split into ", n, " equal slices")};
  }
  return std::nullopt;
}

PlannedWorkload build_dllama_plan(const workload::TransformerSpec& spec, const workload::PassShape& pass,
                                  const PlanSpec& plan) {
  const std::optional<DllamaBehaviour> b = dllama_behaviour(plan.runtime.version);
  require(b.has_value() && !dllama_problem(spec, plan.nodes, *b, plan.runtime.buffer), "dllama plan: invalid");
  require(pass.batch == 1, "dllama plan: one sequence at a time");
  PlannedWorkload out;
  for (int r = 0; r < plan.nodes; ++r) out.nodes.push_back(r);
  // A prefill runs the prompt one token per forward, each attending to the positions before it and itself.
  const std::int64_t first = pass.kind == workload::PassKind::prefill ? 1 : pass.context;
  for (std::int64_t context = first; context <= pass.context; ++context) {
    Shape s = shape_of(spec, workload::PassShape{workload::PassKind::decode, 1, context}, plan, *b);
    append_token(out.graph, s, *b);
  }
  const Shape s = shape_of(spec, pass, plan, *b);
  const std::int64_t seq_len = plan.runtime.max_seq_len > 0 ? plan.runtime.max_seq_len
                               : b->default_seq_len > 0     ? b->default_seq_len
                                                            : spec.max_context;
  for (std::int64_t r = 0; r < s.n; ++r) out.footprint.push_back(footprint(spec, s, *b, seq_len, r));
  return out;
}

namespace {

std::string class_text(DllamaClass kind) {
  switch (kind) {
    case DllamaClass::a: return "root-centric, attention on the root";
    case DllamaClass::b: return "root-centric, attention on the root";
    case DllamaClass::c: return "root-centric, attention sliced";
    case DllamaClass::d: return "root-centric, attention and MLP sliced";
    case DllamaClass::mesh: return "mesh";
  }
  return "";
}

// plan.runtime = "distributed-llama": its keys are runtime_version (default: the newest modelled, 0.16.4), nodes (a
// power of two; default the most the cluster and the model allow), threads (default the version's), buffer
// ("q8_0" or "fp32") and max_seq_len (KV positions allocated).
class DllamaRuntime final : public Strategy {
 public:
  std::string_view name() const override { return "distributed-llama"; }
  bool is_runtime() const override { return true; }
  std::vector<std::string> versions() const override { return {"0.1.0", "0.3.1", "0.7.1", "0.10.6", "0.16.4"}; }

  void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const override {
    if (!ctx.model.transformer) keys.fail("runtime", "distributed-llama runs a [transformer] model");
    const workload::TransformerSpec& model = *ctx.model.transformer;
    spec.runtime.version_given = keys.has("runtime_version");
    spec.runtime.version = keys.string("runtime_version").value_or("0.16.4");
    const std::optional<DllamaBehaviour> b = dllama_behaviour(spec.runtime.version);
    if (!b) {
      keys.fail("runtime_version", "distributed-llama versions 0.1.0 to 0.16.4 are modelled, written as \"0.7.1\"");
    }
    if (ctx.run.batch != 1) keys.fail("runtime", "distributed-llama decodes one sequence at a time: run.batch must be 1");
    // 0 (not given): the version's default, so that another version tried in its place gets its own.
    spec.runtime.threads = static_cast<int>(integer_in(keys, "threads", 0, 1, 256));
    static constexpr std::array<std::pair<std::string_view, NumberFormat>, 2> buffers{
        {{"q8_0", NumberFormat::q8_0}, {"fp32", NumberFormat::fp32}}};
    spec.runtime.buffer = choice(keys, "buffer", buffers, NumberFormat::q8_0);
    spec.runtime.max_seq_len = integer_in(keys, "max_seq_len", 0, 1, model.max_context);
    // By default the largest power of two the cluster (and, from 0.7.3, the KV heads) allow.
    const std::int64_t available = available_nodes(ctx.topology, spec);
    std::int64_t most = b->caps_node_kv_heads ? std::min(available, model.resolved_kv_heads()) : available;
    std::int64_t fallback = 1;
    while (fallback * 2 <= most) fallback *= 2;
    spec.nodes = read_nodes(keys, fallback, available, available);
    if (std::optional<Problem> problem = dllama_problem(model, spec.nodes, *b, spec.runtime.buffer)) {
      fail_at(keys, *problem, "runtime");
    }
  }

  PlanSpec with_version(const PlanSpec& spec, const std::string& version) const override {
    PlanSpec other = spec;
    if (other.runtime.threads == 0) other.runtime.threads = dllama_behaviour(spec.runtime.version)->default_threads;
    other.runtime.version = version;
    return other;
  }

  bool accepts(const Model& model, const PlanSpec& spec, const workload::RunOptions&) const override {
    const std::optional<DllamaBehaviour> b = dllama_behaviour(spec.runtime.version);
    return b && !dllama_problem(*model.transformer, spec.nodes, *b, spec.runtime.buffer);
  }

  PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& spec,
                        std::int64_t) const override {
    return build_dllama_plan(*model.transformer, pass, spec);
  }

  bool has_collectives() const override { return false; }
  std::vector<collective::CollectiveKind> collectives(const Model&, const PlanSpec&, bool) const override {
    return {};
  }

  std::string describe(const Model&, const PlanSpec& spec, const workload::RunOptions& run) const override {
    const DllamaBehaviour b = *dllama_behaviour(spec.runtime.version);
    const int threads = spec.runtime.threads > 0 ? spec.runtime.threads : b.default_threads;
    return concat("distributed-llama ", spec.runtime.version, " (", class_text(b.kind), ") on ", spec.nodes,
                  spec.nodes == 1 ? " node, " : " nodes, ", threads, threads == 1 ? " thread" : " threads", " each, ",
                  std::string(hw::to_string(spec.runtime.buffer)), " syncs, context ", run.context, " tokens");
  }
};

}  // namespace

const Strategy& dllama_runtime() {
  static const DllamaRuntime unit;
  return unit;
}

}  // namespace shardsim::plan
