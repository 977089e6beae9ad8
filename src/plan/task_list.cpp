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

}  // namespace shardsim::plan
