#include "shardsim/exec/executor.hpp"
#include "shardsim/exec/run_size_bound.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "collective_run.hpp"
#include "cpu_queue.hpp"
#include "critical_path.hpp"
#include "dependency_index.hpp"
#include "id_vector.hpp"
#include "shardsim/collective/schedule_size.hpp"
#include "shardsim/core/engine.hpp"
#include "shardsim/hw/roofline.hpp"
#include "shardsim/net/message_bytes.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::exec {

namespace {

using plan::CollectiveOp;
using plan::ComputeOp;
using plan::NodeId;
using plan::OpId;
using StepIndex = CollectiveRun::StepIndex;

struct ComputeDone {
  OpId op;
};
using Event = std::variant<ComputeDone, net::NetEvent>;

// A transfer's tag names its collective (high 32 bits) and step (low 32 bits), for delivered() and link_busy().
std::uint64_t transfer_tag(CollectiveId c, StepIndex k) { return (static_cast<std::uint64_t>(c) << 32) | k; }
CollectiveId tag_collective(std::uint64_t tag) { return static_cast<CollectiveId>(tag >> 32); }
StepIndex tag_step(std::uint64_t tag) { return static_cast<StepIndex>(tag & 0xffffffffu); }

// One repetition of a block, on its own engine and network model: the parts (dependency_index.hpp,
// collective_run.hpp, cpu_queue.hpp, critical_path.hpp) wired to the engine, the network and the trace.
class BlockRun final : public net::NetContext {
 public:
  BlockRun(const topo::Topology& topology, const plan::Block& block, const std::vector<hw::Streamed>& streamed,
           const net::NetworkOptions& options, std::vector<NodeStats>& nodes, Trace* trace, std::int32_t block_index,
           Time trace_offset)
      : topology_(topology),
        block_(block),
        streamed_(streamed),
        nodes_(nodes),
        network_(net::make_network_model(topology, options)),
        index_(block, topology.node_count()),
        cpus_(static_cast<std::size_t>(topology.node_count())),
        trace_(trace),
        block_index_(block_index),
        offset_(trace_offset) {
    // Expanded when their first rank is ready, dropped when they are complete everywhere: a block holds the
    // schedules of the collectives running at the time, not of all of them.
    runs_.assign(index_.collectives().size(), std::nullopt);
  }

  Mark run() {
    // Collect first: readying a unit can fire signals that bring other units to zero during the loop.
    for (UnitId unit : index_.ready_units()) unit_ready(unit, Mark{});
    engine_.run([this](const Event& e) {
      if (const auto* done = std::get_if<ComputeDone>(&e)) {
        compute_done(done->op);
      } else {
        network_->handle(engine_.now(), std::get<net::NetEvent>(e), *this);
      }
    });
    const Mark& end = path_.end();
    require(index_.all_fired(), "executor: a block ended with ops that never completed");
    require(network_->in_flight() == 0, "executor: transfers still in flight at the end of a block");
    require(end.cp.total() == end.time, "executor: critical path does not add up to the block's duration");
    require(end.phases.total() == end.time, "executor: phases do not add up to the block's duration");
    if (trace_) path_.record(*trace_);
    return end;
  }

  const net::NetCounters& net_counters() const { return network_->counters(); }
  std::uint64_t events() const { return engine_.events_processed(); }

  // NetContext
  core::EventId schedule(Time at, net::NetEvent event) override { return engine_.schedule_at(at, Event{event}); }
  void cancel(core::EventId id) override { engine_.cancel(id); }
  void delivered(std::uint64_t tag, const net::TransferTiming& timing) override {
    step_delivered(tag_collective(tag), tag_step(tag), timing);
  }
  void link_busy(topo::DirLinkId link, Time begin, Time end, std::uint64_t tag) override {
    if (!trace_) return;
    if (link_spans_ >= trace_->max_link_spans) {
      ++trace_->dropped_link_spans;
      return;
    }
    ++link_spans_;
    const CollectiveRun& run = *runs_[tag_collective(tag)];
    const collective::Step& step = run.step(tag_step(tag));
    trace_->spans.push_back(TraceSpan{TraceSpan::Kind::link, link, block_index_, run.op(), run.member(step.dst),
                                      offset_ + begin, offset_ + end, false, run.member(step.src), step.bytes});
  }

 private:
  const plan::Op& op(OpId id) const { return block_.ops[id]; }

  void fire(SignalId signal, const Mark& mark) {
    path_.reached(mark);
    index_.fire(signal, [&](UnitId unit) { unit_ready(unit, mark); });
  }

  void unit_ready(UnitId id, const Mark& mark) {
    const Unit& unit = index_.unit(id);
    if (unit.collective != CollectiveId::none) {
      rank_ready(unit.collective, unit.rank, mark);
      return;
    }
    const NodeId node = std::get<ComputeOp>(op(unit.op).kind).node;
    if (cpus_[node].push(QueuedOp{unit.op, mark})) start_next(node);
  }

  // Starts the next queued compute op on `node` at the current time, if there is one.
  void start_next(NodeId node) {
    CpuQueue& cpu = cpus_[node];
    const std::optional<QueuedOp> queued = cpu.next();
    if (!queued) return;
    const auto& compute = std::get<ComputeOp>(op(queued->op).kind);
    const hw::Streamed streamed = streamed_.empty() ? hw::Streamed{} : streamed_[node];
    const hw::ComputeCost cost = hw::roofline(topology_.node(node), compute.work, streamed);
    const Time now = engine_.now();
    const Mark& ready = queued->ready;
    Mark done = ready.continued_to(now + cost.total());
    if (trace_) {
      trace_->spans.push_back(TraceSpan{TraceSpan::Kind::compute, node, block_index_, queued->op, -1, offset_ + now,
                                        offset_ + done.time, false});
      done.via = path_.add_compute(static_cast<std::int32_t>(trace_->spans.size() - 1), ready.via);
    }
    done.charge(compute_span(now - ready.time, cost), op(queued->op).phase);
    cpu.set_running(done);
    NodeStats& stats = nodes_[node];
    stats.flops += compute.work.flops;
    stats.memory_read += compute.work.bytes_read;
    stats.memory_written += compute.work.bytes_written;
    stats.storage_read += cost.from_storage;
    stats.compute_busy += cost.total();
    engine_.schedule_at(done.time, Event{ComputeDone{queued->op}});
  }

  void compute_done(OpId id) {
    const NodeId node = std::get<ComputeOp>(op(id).kind).node;
    const Mark done = cpus_[node].running();
    start_next(node);
    fire(index_.done(id), done);
  }

  void rank_ready(CollectiveId c, std::int32_t rank, const Mark& mark) {
    std::optional<CollectiveRun>& run = runs_[c];
    if (!run) run.emplace(index_.collectives()[c], std::get<CollectiveOp>(op(index_.collectives()[c]).kind));
    run->rank_ready(rank, mark, [&](StepIndex k) { start_step(c, k); });
    maybe_complete(c, rank);
  }

  void start_step(CollectiveId c, StepIndex k) {
    const CollectiveRun& run = *runs_[c];
    const collective::Step& step = run.step(k);
    const plan::NodeId src = run.member(step.src);
    const plan::NodeId dst = run.member(step.dst);
    const plan::CollectiveOp& how = std::get<plan::CollectiveOp>(op(run.op()).kind);
    const auto lane = static_cast<std::uint16_t>(how.io_lane(src, dst));
    const std::int32_t calls = how.send_calls(step.bytes);
    network_->start(engine_.now(), net::TransferRequest{src, dst, step.bytes, transfer_tag(c, k), lane, calls}, *this);
  }

  void step_delivered(CollectiveId c, StepIndex k, const net::TransferTiming& timing) {
    CollectiveRun& run = *runs_[c];
    const collective::Step& step = run.step(k);
    const Mark& base = run.base(k);
    Mark mark = base.continued_to(timing.delivered);
    if (trace_) {
      mark.via = path_.add_message(TraceSpan{TraceSpan::Kind::transfer, run.member(step.src), block_index_, run.op(),
                                             run.member(step.dst), offset_ + timing.started,
                                             offset_ + timing.delivered, true, run.member(step.src), step.bytes},
                                   base.via);
    }
    mark.charge(message_span(timing), op(run.op()).phase);
    run.delivered(k, mark, [&](StepIndex next) { start_step(c, next); });
    maybe_complete(c, step.dst);
  }

  // Fires (collective, rank) once the rank is complete (collective_run.hpp); fires (collective, everywhere) after
  // the last rank.
  void maybe_complete(CollectiveId c, std::int32_t rank) {
    if (runs_[c]->completes(rank)) complete(c, rank);
  }

  void complete(CollectiveId c, std::int32_t rank) {
    CollectiveRun& run = *runs_[c];
    const Mark mark = run.complete(rank);
    const OpId id = run.op();
    nodes_[run.member(rank)].payload_delivered += collective::result_bytes(run.spec(), rank);
    // Still valid after fire(): ranks completed in the calls it makes are counted before this one, so none of them
    // can be the last and drop the run.
    fire(index_.complete_on(id, rank), mark);
    if (!run.count_completed()) return;
    if (trace_) {
      trace_->spans.push_back(TraceSpan{TraceSpan::Kind::collective, id, block_index_, id, -1,
                                        offset_ + run.first_ready(), offset_ + mark.time, false});
    }
    runs_[c].reset();  // every step delivered: nothing refers to it any more
    fire(index_.complete_everywhere(id), mark);
  }

  const topo::Topology& topology_;
  const plan::Block& block_;
  const std::vector<hw::Streamed>& streamed_;  // per node: fractions of weights and KV cache read from storage
  std::vector<NodeStats>& nodes_;
  std::unique_ptr<net::NetworkModel> network_;
  core::Engine<Event> engine_;

  DependencyIndex index_;
  IdVector<CollectiveId, std::optional<CollectiveRun>> runs_;  // the collectives running now
  IdVector<NodeId, CpuQueue> cpus_;
  CriticalPath path_;

  Trace* trace_;
  std::int32_t block_index_;
  Time offset_;  // where this block starts on the trace's time axis
  std::size_t link_spans_ = 0;
};

// Adds one block's counters, `repeat` times, to the run's.
void add_block(RunStats& stats, const plan::Block& block, const Mark& end, const BlockRun& run,
               const std::vector<NodeStats>& nodes) {
  const std::int64_t k = block.repeat;
  stats.blocks.push_back(BlockStats{block.name, k, end.time, end.cp, end.phases});
  stats.token_latency += end.time * k;
  stats.critical_path += end.cp.scaled(k);
  stats.phases += end.phases.scaled(k);
  stats.events += run.events();
  const net::NetCounters& net = run.net_counters();
  stats.transfers += net.transfers * static_cast<std::uint64_t>(k);
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    NodeStats& s = stats.nodes[n];
    s.payload_sent += net.node_payload_sent[n] * k;
    s.payload_received += net.node_payload_received[n] * k;
    s.payload_delivered += nodes[n].payload_delivered * k;
    s.memory_read += nodes[n].memory_read * k;
    s.memory_written += nodes[n].memory_written * k;
    s.storage_read += nodes[n].storage_read * k;
    s.flops += nodes[n].flops * k;
    s.compute_busy += nodes[n].compute_busy * k;
  }
  for (std::size_t d = 0; d < stats.links.size(); ++d) {
    stats.links[d].wire_bytes += net.link_wire_bytes[d] * k;
    stats.links[d].busy += net.link_busy[d] * k;
  }
}

// Heap bytes of a vector of n T, counted twice: a vector built by push_back may hold up to twice its size.
double vec(double n, std::size_t element) { return 2 * n * static_cast<double>(element); }

// What run_size_bound counts in one block, added op by op; run_size_floor adds a plan's floor with the same figures,
// so that a floor's bytes are a lower bound of the built plan's.
struct BlockCount {
  double ops = 0, compute_ops = 0, units = 0, signals = 0, waits = 0, collectives = 0, steps = 0;
  double graph_bytes = 0;  // the ops' dependency lists and members in the graph (their labels are counted apart)
  double state_bytes = 0;  // the run state: `fixed`, then each collective's

  // `count` compute ops of `deps` dependencies each.
  void add_compute(double deps, double count) {
    ops += count;
    compute_ops += count;
    units += count;
    signals += count;
    waits += deps * count;
    graph_bytes += vec(deps, sizeof(plan::OpId)) * count;
  }

  // `count` collectives of p ranks on a cluster of `nodes`, with `deps` dependencies and `groups` group ids each,
  // whose schedule is at most `s`.
  void add_collective(double nodes, double p, double deps, double groups, const collective::ScheduleSize& s,
                      double count) {
    ops += count;
    graph_bytes += (vec(deps, sizeof(plan::OpId)) + vec(p, sizeof(plan::NodeId)) + vec(p, sizeof(Bytes)) +
                    vec(groups, sizeof(int))) *
                   count;
    collectives += count;
    units += p * count;
    signals += (p + 1) * count;
    waits += p * deps * count;
    steps += s.steps * count;
    // The dependency index's rank of every node in this collective; the run: its schedule (while the builder
    // expands it, also one set id per rank), its ranks and sends, its steps' state and dependents.
    // A rank's state is a count, a flag and two marks; a step's a count and a mark slot, and at worst a mark in
    // the pool with its id on the free list (collective_run.hpp); the grouped sends and dependents an offset per
    // key and an entry per value, and a scratch offset per key.
    const double mark = sizeof(Mark);
    state_bytes += (nodes * sizeof(std::int32_t) + 2 * sizeof(std::vector<std::int32_t>) + 2 * sizeof(CollectiveRun) +
                    vec(s.steps, sizeof(collective::Step)) + vec(s.steps + 1, 4) + vec(s.deps, 4) +
                    vec(s.sets + 1, 4) + vec(s.ranges, sizeof(collective::IndexRange)) + p * 4 +
                    p * (8 + 2 * mark) + 2 * (p + 1) * 4 + s.steps * 4 + s.steps * 8 + vec(s.steps, sizeof(Mark) + 4) +
                    2 * (s.steps + 1) * 4 + s.deps * 4) *
                   count;
  }

  // The block's run state, `message` bytes per message in flight.
  double block_bytes(std::size_t message) const {
    using EngineEvent = core::Engine<Event>::Event;
    // Dependency index: an entry per op, a unit per compute op and collective rank, a signal per op and rank (and
    // one per collective), the waits and the waiters grouped by signal; the ready list.
    double bytes = state_bytes + vec(ops, 16) + vec(units, sizeof(Unit)) + vec(signals, sizeof(Signal)) +
                   vec(collectives, 4) + vec(waits, 8) + (signals + 1) * 4 + waits * 4 + vec(units, 4);
    // Every step's message in flight and an event for it, every compute op queued on its CPU with an event; the
    // engine's radix buckets may keep up to twice that (vec), and a live bit per event id ever issued (a message
    // issues a few: counted as 8 bits each).
    bytes += steps * static_cast<double>(message) + vec(steps + compute_ops, sizeof(EngineEvent)) +
             vec(compute_ops, sizeof(QueuedOp)) + steps + compute_ops;
    return bytes;
  }
};

// The run's own counters and one block's (RunStats, add_block), the network model's per node and link: every
// block's state starts with these.
double fixed_bytes(const topo::Topology& topology) {
  const double nodes = topology.node_count();
  const double dir_links = 2.0 * topology.link_count();
  return vec(nodes, sizeof(NodeStats)) * 2 + vec(dir_links, sizeof(LinkStats)) +
         nodes * (4 * sizeof(Bytes) + 2 * sizeof(Time) + sizeof(std::vector<Time>)) +
         dir_links * (sizeof(Bytes) + 2 * sizeof(Time)) + nodes * sizeof(CpuQueue);
}

std::size_t message_bytes(const topo::Topology& topology, const net::NetworkOptions& network) {
  return net::message_bytes_bound(network, static_cast<std::size_t>(topology.diameter_hops()));
}

}  // namespace

RunSizeBound run_size_bound(const topo::Topology& topology, const plan::OpGraph& graph,
                            const net::NetworkOptions& network) {
  // Heap bytes of a std::string's text (none while it fits the inline buffer).
  const std::size_t inline_text = std::string().capacity();
  auto text = [&](const std::string& s) { return s.size() <= inline_text ? 0.0 : static_cast<double>(s.size() + 1); };

  const double nodes = topology.node_count();
  const std::size_t message = message_bytes(topology, network);
  const double fixed = fixed_bytes(topology);

  RunSizeBound size;
  for (const plan::Block& block : graph.blocks) {
    BlockCount count;
    count.state_bytes = fixed;
    size.graph_bytes += vec(static_cast<double>(block.ops.size()), sizeof(plan::Op)) + text(block.name);
    for (const plan::Op& op : block.ops) {
      const double deps = static_cast<double>(op.deps.size());
      size.graph_bytes += text(op.label);
      if (std::holds_alternative<plan::ComputeOp>(op.kind)) {
        count.add_compute(deps, 1);
        continue;
      }
      const auto& c = std::get<plan::CollectiveOp>(op.kind);
      const double p = c.spec.ranks();
      size.ranks = std::max(size.ranks, p);
      count.add_collective(nodes, p, deps, static_cast<double>(c.spec.groups.size()), collective::size_bound(c.spec),
                           1);
    }
    size.graph_bytes += count.graph_bytes;
    size.ops += count.ops;
    size.steps = std::max(size.steps, count.steps);
    size.block_bytes = std::max(size.block_bytes, count.block_bytes(message));
  }
  size.graph_bytes += vec(static_cast<double>(graph.blocks.size()), sizeof(plan::Block)) +
                      vec(static_cast<double>(graph.streamed.size()), sizeof(hw::Streamed));
  return size;
}

RunSizeBound run_size_floor(const topo::Topology& topology, const plan::PlanFloor& floor,
                            const net::NetworkOptions& network) {
  RunSizeBound size;
  if (floor.empty()) return size;
  // One block holding the floor's ops, with no dependencies, labels or hierarchical group ids (each only adds).
  BlockCount count;
  count.state_bytes = fixed_bytes(topology);
  count.add_compute(0, floor.compute_ops);
  for (const plan::CollectiveFloor& c : floor.collectives) {
    size.ranks = std::max(size.ranks, c.ranks);
    count.add_collective(topology.node_count(), c.ranks, 0, 0, collective::size_bound(c.kind, c.algorithm, c.ranks),
                         c.count);
  }
  size.ops = count.ops;
  size.steps = count.steps;
  size.graph_bytes = vec(count.ops, sizeof(plan::Op)) + count.graph_bytes + vec(1, sizeof(plan::Block));
  size.block_bytes = count.block_bytes(message_bytes(topology, network));
  return size;
}

RunStats execute(const topo::Topology& topology, const plan::OpGraph& graph,
                 const net::NetworkOptions& network, Trace* trace) {
  RunStats stats;
  stats.nodes.assign(static_cast<std::size_t>(topology.node_count()), NodeStats{});
  stats.links.assign(static_cast<std::size_t>(2 * topology.link_count()), LinkStats{});
  Time trace_offset = trace ? trace->end : Time{};
  for (const plan::Block& block : graph.blocks) {
    const auto block_index = trace ? static_cast<std::int32_t>(trace->block_names.size()) : 0;
    const std::size_t first_span = trace ? trace->spans.size() : 0;
    if (trace) {
      trace->block_names.push_back((trace->run_label.empty() ? "" : trace->run_label + ": ") + block.name + " (x" +
                                   std::to_string(block.repeat) + ")");
      trace->op_labels.emplace_back();
      for (const plan::Op& o : block.ops) trace->op_labels.back().push_back(o.label);
    }
    std::vector<NodeStats> nodes(stats.nodes.size());
    BlockRun run(topology, block, graph.streamed, network, nodes, trace, block_index, trace_offset);
    const Mark end = run.run();
    trace_offset += end.time;
    if (trace && trace->all_repeats) {
      // The repetitions are identical (each starts on an idle cluster): repetition k is the first one's spans
      // shifted by k times its length.
      const std::size_t last_span = trace->spans.size();
      std::size_t link_spans = 0;
      for (std::size_t i = first_span; i < last_span; ++i) link_spans += trace->spans[i].kind == TraceSpan::Kind::link;
      for (std::int64_t k = 1; k < block.repeat; ++k, trace_offset += end.time) {
        for (std::size_t i = first_span; i < last_span; ++i) {
          TraceSpan copy = trace->spans[i];
          if (copy.kind == TraceSpan::Kind::link && link_spans >= trace->max_link_spans) {
            ++trace->dropped_link_spans;
            continue;
          }
          link_spans += copy.kind == TraceSpan::Kind::link;
          copy.repetition = k;
          copy.begin += end.time * k;
          copy.end += end.time * k;
          trace->spans.push_back(copy);
        }
      }
    }
    add_block(stats, block, end, run, nodes);
  }
  if (trace) trace->end = trace_offset;
  require(stats.critical_path.total() == stats.token_latency, "executor: critical path does not add up to the run");
  require(stats.phases.total() == stats.token_latency, "executor: phases do not add up to the run");
  return stats;
}

}  // namespace shardsim::exec
