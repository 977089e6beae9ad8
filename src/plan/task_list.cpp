#include "task_list.hpp"

#include <cmath>

#include "shardsim/util/error.hpp"

namespace shardsim::plan {

TaskList::TaskList(std::string block_name, int nodes)
    : block_{std::move(block_name), 1, {}}, last_(static_cast<std::size_t>(nodes), -1),
      barriers_(static_cast<std::size_t>(nodes), 0) {}

OpId TaskList::compute(std::string label, NodeId node, hw::ComputeWork work) {
  const auto n = static_cast<std::size_t>(node);
  work.tasks += barriers_[n];
  barriers_[n] = 0;
  std::vector<OpId> deps;
  if (last_[n] >= 0) deps.push_back(last_[n]);
  block_.ops.push_back(Op{std::move(label), ComputeOp{node, work}, std::move(deps)});
  last_[n] = static_cast<OpId>(block_.ops.size() - 1);
  return last_[n];
}

OpId TaskList::sync(std::string label, collective::CollectiveSpec spec, std::vector<NodeId> members, int io_threads,
                    Bytes send_chunk, std::int64_t tasks) {
  std::vector<OpId> deps;
  for (NodeId m : members) {
    const OpId previous = last_[static_cast<std::size_t>(m)];
    if (previous >= 0) deps.push_back(previous);
  }
  const auto id = static_cast<OpId>(block_.ops.size());
  for (NodeId m : members) {
    last_[static_cast<std::size_t>(m)] = id;
    barriers_[static_cast<std::size_t>(m)] += tasks;
  }
  CollectiveOp op{std::move(spec), std::move(members), io_threads, send_chunk};
  block_.ops.push_back(Op{std::move(label), std::move(op), std::move(deps)});
  return id;
}

OpId TaskList::send(std::string label, NodeId src, NodeId dst, Bytes bytes, int io_threads, Bytes send_chunk) {
  collective::CollectiveSpec spec{collective::CollectiveKind::broadcast, collective::Algorithm::direct, 0,
                                  {bytes, Bytes{}}};
  return sync(std::move(label), std::move(spec), {src, dst}, io_threads, send_chunk);
}

Block TaskList::finish(std::int64_t repeat) {
  for (std::size_t n = 0; n < barriers_.size(); ++n) {
    if (barriers_[n] > 0) compute("barrier", static_cast<NodeId>(n), hw::ComputeWork{.tasks = 0});
  }
  block_.repeat = repeat;
  return std::move(block_);
}

hw::ComputeWork matmul(std::int64_t out, std::int64_t in, hw::NumberFormat weights, hw::NumberFormat input,
                       int threads, std::int64_t tasks) {
  const Bytes w = hw::bytes_for_rows(weights, out, in);
  hw::ComputeWork work;
  work.flops = Flop{2 * out * in};
  work.bytes_read = w + hw::bytes_for(input, in);
  work.bytes_written = Bytes{4 * out};
  work.weight_bytes = w;
  if (input == hw::NumberFormat::q8_0) work.kernel = weights;
  work.threads = threads;
  work.tasks = tasks;
  return work;
}

hw::ComputeWork vector_pass(std::int64_t elements, std::int64_t flops, double read, double written, int threads,
                            std::int64_t tasks) {
  hw::ComputeWork work;
  work.flops = Flop{flops * elements};
  work.bytes_read = Bytes{std::llround(read * static_cast<double>(elements))};
  work.bytes_written = Bytes{std::llround(written * static_cast<double>(elements))};
  work.threads = threads;
  work.tasks = tasks;
  return work;
}

std::optional<Problem> dense_llama_problem(const workload::TransformerSpec& spec, std::string_view runtime) {
  if (spec.mlp != workload::MlpKind::swiglu || spec.norm != workload::NormKind::rms_norm || spec.linear_biases ||
      spec.learned_positions || spec.experts > 1) {
    return Problem{"runtime", "the model is not a dense Llama-style transformer (SwiGLU, RMSNorm, rotary, no biases), "
                              "the only kind modelled for " + std::string(runtime)};
  }
  return std::nullopt;
}

void decoder_layer(TaskList& t, const LayerShape& s, NodeId node, hw::NumberFormat input) {
  const hw::NumberFormat w = s.weights;
  t.compute("attn_norm", node, vector_pass(s.dim, 4, 8, 4, s.threads, 2));
  t.compute("q", node, matmul(s.dim, s.dim, w, input, s.threads));
  t.compute("k", node, matmul(s.kv, s.dim, w, input, s.threads));
  t.compute("v", node, matmul(s.kv, s.dim, w, input, s.threads));
  t.compute("rope", node, vector_pass(s.dim + s.kv, 6, 8, 4, s.threads, 2));
  t.compute("kv_store", node, vector_pass(2 * s.kv, 0, 4, hw::bytes_per_value(s.kv_format), s.threads, 2));
  // Scores and the weighted sum over the cache: every head reads its KV head's keys and values.
  hw::ComputeWork attention;
  attention.flops = Flop{s.heads * s.context * (4 * s.head_dim + 5)};
  attention.kv_cache_bytes = hw::bytes_for(s.kv_format, 2 * s.context * s.kv);
  attention.bytes_read = attention.kv_cache_bytes + Bytes{4 * s.heads * s.context};
  attention.bytes_written = Bytes{4 * (s.heads * s.context + s.dim)};
  attention.threads = s.threads;
  attention.tasks = 4;
  t.compute("attention", node, attention);
  t.compute("wo", node, matmul(s.dim, s.dim, w, input, s.threads));
  t.compute("residual", node, vector_pass(s.dim, 1, 8, 4, s.threads));
  t.compute("ffn_norm", node, vector_pass(s.dim, 4, 8, 4, s.threads, 2));
  t.compute("gate_up", node, matmul(2 * s.hid, s.dim, w, input, s.threads, 2));
  t.compute("silu_mul", node, vector_pass(s.hid, 8, 8, 4, s.threads, 2));
  t.compute("down", node, matmul(s.dim, s.hid, w, input, s.threads));
  t.compute("residual", node, vector_pass(s.dim, 1, 8, 4, s.threads));
}

}  // namespace shardsim::plan
