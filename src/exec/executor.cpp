#include "shardsim/exec/executor.hpp"

#include <deque>
#include <memory>
#include <variant>

#include "shardsim/core/engine.hpp"
#include "shardsim/hw/roofline.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::exec {

Breakdown& Breakdown::operator+=(const Breakdown& o) {
  compute += o.compute;
  memory += o.memory;
  overhead += o.overhead;
  latency += o.latency;
  serialization += o.serialization;
  waiting += o.waiting;
  return *this;
}

Breakdown Breakdown::scaled(std::int64_t k) const {
  return Breakdown{compute * k, memory * k, overhead * k, latency * k, serialization * k, waiting * k};
}

Time PhaseTimes::total() const {
  Time sum;
  for (Time t : by_phase) sum += t;
  return sum;
}

PhaseTimes& PhaseTimes::operator+=(const PhaseTimes& o) {
  for (std::size_t p = 0; p < by_phase.size(); ++p) by_phase[p] += o.by_phase[p];
  return *this;
}

PhaseTimes PhaseTimes::scaled(std::int64_t k) const {
  PhaseTimes s;
  for (std::size_t p = 0; p < by_phase.size(); ++p) s.by_phase[p] = by_phase[p] * k;
  return s;
}

namespace {

using plan::CollectiveOp;
using plan::ComputeOp;
using plan::OpId;

struct ComputeDone {
  OpId op;
};
using Event = std::variant<ComputeDone, net::NetEvent>;

// A point in time together with the critical path that led to it, by kind (cp) and by the phase of the op that
// owns each span (phases): cp.total() == phases.total() == time, always. When a trace is recorded, `via` is the
// last step of that path (an index into BlockRun::path_), else -1.
struct Mark {
  Time time;
  Breakdown cp;
  PhaseTimes phases;
  std::int32_t via = -1;

  // Extends the path by `span`, all of it owned by an op of `phase`. The only way a mark's path grows, so the two
  // splits can never disagree.
  void charge(const Breakdown& span, plan::Phase phase) {
    cp += span;
    phases[phase] += span.total();
  }
};

// A signal is "this op's result is available at this node": one per compute op, and per collective one per
// member plus one for "complete everywhere". A unit is something that waits for signals: a compute op, or one
// rank of a collective. See executor.hpp for which signals each unit waits for.
class BlockRun final : public net::NetContext {
 public:
  BlockRun(const topo::Topology& topology, const plan::Block& block, const std::vector<double>& streamed,
           const net::NetworkOptions& options, std::vector<NodeStats>& nodes, Trace* trace, std::int32_t block_index,
           Time trace_offset)
      : topology_(topology),
        block_(block),
        streamed_(streamed),
        nodes_(nodes),
        network_(net::make_network_model(topology, options)),
        trace_(trace),
        block_index_(block_index),
        offset_(trace_offset) {
    index();
    node_queue_.resize(static_cast<std::size_t>(topology.node_count()));
    node_busy_.assign(static_cast<std::size_t>(topology.node_count()), false);
    running_.resize(static_cast<std::size_t>(topology.node_count()));
  }

  Mark run() {
    // Collect first: readying a unit can fire signals that bring other units to zero during the loop.
    std::vector<int> initial;
    for (std::size_t u = 0; u < unit_waiting_.size(); ++u) {
      if (unit_waiting_[u] == 0) initial.push_back(static_cast<int>(u));
    }
    for (int u : initial) unit_ready(u, Mark{});
    engine_.run([this](const Event& e) {
      if (const auto* done = std::get_if<ComputeDone>(&e)) {
        compute_done(done->op);
      } else {
        network_->handle(engine_.now(), std::get<net::NetEvent>(e), *this);
      }
    });
    require(fired_ == signal_time_.size(), "executor: a block ended with ops that never completed");
    require(network_->in_flight() == 0, "executor: transfers still in flight at the end of a block");
    require(last_.cp.total() == last_.time, "executor: critical path does not add up to the block's duration");
    require(last_.phases.total() == last_.time, "executor: phases do not add up to the block's duration");
    if (trace_) mark_critical_path();
    return last_;
  }

  const net::NetCounters& net_counters() const { return network_->counters(); }
  std::uint64_t events() const { return engine_.events_processed(); }

  // NetContext
  core::EventId schedule(Time at, net::NetEvent event) override { return engine_.schedule_at(at, Event{event}); }
  void cancel(core::EventId id) override { engine_.cancel(id); }
  void delivered(std::uint64_t tag, const net::TransferTiming& timing) override {
    step_delivered(static_cast<int>(tag >> 32), static_cast<std::uint32_t>(tag & 0xffffffffu), timing);
  }
  void link_busy(topo::DirLinkId link, Time begin, Time end, std::uint64_t tag) override {
    if (!trace_) return;
    if (link_spans_ >= trace_->max_link_spans) {
      ++trace_->dropped_link_spans;
      return;
    }
    ++link_spans_;
    const OpId op = collectives_[static_cast<std::size_t>(tag >> 32)].op;
    trace_->spans.push_back(TraceSpan{TraceSpan::Kind::link, link, block_index_, op, -1, offset_ + begin,
                                      offset_ + end, false});
  }

 private:
  struct CollectiveState {
    OpId op = 0;
    collective::Schedule schedule;
    std::vector<std::vector<std::uint32_t>> steps_from;  // per rank, steps it sends (in schedule order)
    std::vector<std::vector<std::uint32_t>> dependents;  // per step, steps waiting for it (only with deps)
    std::vector<std::uint32_t> step_waiting;             // per step, undelivered deps
    std::vector<Mark> step_mark;                         // per step, its base (then delivery) mark, with deps
    std::vector<int> incoming;                           // per rank, undelivered steps addressed to it
    std::vector<Mark> last_in;                           // per rank, latest delivery to it
    std::vector<bool> rank_ready;
    std::vector<Mark> rank_mark;
    int ranks_fired = 0;
    Time first_ready{-1};  // when its first rank became ready
    int first_unit = 0;
    int first_signal = 0;
  };

  const plan::Op& op(OpId id) const { return block_.ops[static_cast<std::size_t>(id)]; }

  // Builds signals, units and who waits for what.
  void index() {
    const auto n_ops = block_.ops.size();
    op_unit_.assign(n_ops, -1);
    op_signal_.assign(n_ops, -1);
    op_collective_.assign(n_ops, -1);
    std::vector<std::vector<int>> rank_of;  // per collective, node -> rank (-1: not a member)
    for (OpId id = 0; id < static_cast<OpId>(n_ops); ++id) {
      const plan::Op& o = op(id);
      for (OpId dep : o.deps) require(dep >= 0 && dep < id, "op graph: a dependency must name an earlier op");
      op_unit_[id] = static_cast<int>(unit_waiting_.size());
      op_signal_[id] = static_cast<int>(signal_time_.size());
      if (std::holds_alternative<ComputeOp>(o.kind)) {
        unit_waiting_.push_back(0);
        unit_op_.push_back(id);
        signal_time_.emplace_back();
        continue;
      }
      const auto& c = std::get<CollectiveOp>(o.kind);
      const int p = c.spec.ranks();
      require(static_cast<int>(c.members.size()) == p, "collective: one member per rank");
      CollectiveState s;
      s.op = id;
      s.schedule = collective::expand(c.spec);
      s.steps_from.resize(static_cast<std::size_t>(p));
      s.incoming.assign(static_cast<std::size_t>(p), 0);
      for (std::uint32_t k = 0; k < s.schedule.steps.size(); ++k) {
        const collective::Step& step = s.schedule.steps[k];
        s.steps_from[static_cast<std::size_t>(step.src)].push_back(k);
        ++s.incoming[static_cast<std::size_t>(step.dst)];
      }
      if (!s.schedule.deps.empty()) {
        s.dependents.resize(s.schedule.steps.size());
        s.step_waiting.assign(s.schedule.steps.size(), 0);
        s.step_mark.assign(s.schedule.steps.size(), Mark{});
        for (std::uint32_t k = 0; k < s.schedule.steps.size(); ++k) {
          for (std::uint32_t j = s.schedule.dep_begin[k]; j < s.schedule.dep_begin[k + 1]; ++j) {
            s.dependents[s.schedule.deps[j]].push_back(k);
            ++s.step_waiting[k];
          }
        }
      }
      s.last_in.assign(static_cast<std::size_t>(p), Mark{});
      s.rank_ready.assign(static_cast<std::size_t>(p), false);
      s.rank_mark.assign(static_cast<std::size_t>(p), Mark{});
      s.first_unit = op_unit_[id];
      s.first_signal = op_signal_[id];
      op_collective_[id] = static_cast<int>(collectives_.size());
      collectives_.push_back(std::move(s));
      for (int r = 0; r < p; ++r) {
        unit_waiting_.push_back(0);
        unit_op_.push_back(id);
      }
      signal_time_.resize(signal_time_.size() + static_cast<std::size_t>(p) + 1);
      std::vector<int> ranks(static_cast<std::size_t>(topology_.node_count()), -1);
      for (int r = 0; r < p; ++r) {
        const plan::NodeId node = c.members[static_cast<std::size_t>(r)];
        require(node >= 0 && node < topology_.node_count(), "collective member is not a node");
        ranks[static_cast<std::size_t>(node)] = r;
      }
      rank_of.resize(n_ops);
      rank_of[static_cast<std::size_t>(id)] = std::move(ranks);
    }
    signal_waiters_.resize(signal_time_.size());
    signal_fired_.assign(signal_time_.size(), false);

    // The signal of `dep` that a unit on `node` waits for.
    auto signal_for = [&](OpId dep, plan::NodeId node) {
      const int c = op_collective_[dep];
      if (c < 0) return op_signal_[dep];
      const int rank = rank_of[static_cast<std::size_t>(dep)][static_cast<std::size_t>(node)];
      const int p = static_cast<int>(collectives_[static_cast<std::size_t>(c)].rank_ready.size());
      return op_signal_[dep] + (rank >= 0 ? rank : p);
    };
    auto wait = [&](int signal, int unit) {
      signal_waiters_[static_cast<std::size_t>(signal)].push_back(unit);
      ++unit_waiting_[static_cast<std::size_t>(unit)];
    };
    for (OpId id = 0; id < static_cast<OpId>(n_ops); ++id) {
      const plan::Op& o = op(id);
      if (const auto* compute = std::get_if<ComputeOp>(&o.kind)) {
        require(compute->node >= 0 && compute->node < topology_.node_count(), "compute op on a missing node");
        for (OpId dep : o.deps) wait(signal_for(dep, compute->node), op_unit_[id]);
        continue;
      }
      const auto& c = std::get<CollectiveOp>(o.kind);
      const auto& members = rank_of[static_cast<std::size_t>(id)];
      for (int r = 0; r < c.spec.ranks(); ++r) {
        const plan::NodeId node = c.members[static_cast<std::size_t>(r)];
        for (OpId dep : o.deps) {
          if (const auto* dc = std::get_if<ComputeOp>(&op(dep).kind)) {
            // A compute op on another member only gates that member's sends.
            if (dc->node != node && members[static_cast<std::size_t>(dc->node)] >= 0) continue;
          }
          wait(signal_for(dep, node), op_unit_[id] + r);
        }
      }
    }
  }

  void fire(int signal, const Mark& mark) {
    require(!signal_fired_[static_cast<std::size_t>(signal)], "executor: signal fired twice");
    signal_fired_[static_cast<std::size_t>(signal)] = true;
    signal_time_[static_cast<std::size_t>(signal)] = mark.time;
    ++fired_;
    if (mark.time >= last_.time) last_ = mark;
    for (int unit : signal_waiters_[static_cast<std::size_t>(signal)]) {
      if (--unit_waiting_[static_cast<std::size_t>(unit)] == 0) unit_ready(unit, mark);
    }
  }

  void unit_ready(int unit, const Mark& mark) {
    const OpId id = unit_op_[static_cast<std::size_t>(unit)];
    const int c = op_collective_[id];
    if (c < 0) {
      const plan::NodeId node = std::get<ComputeOp>(op(id).kind).node;
      node_queue_[static_cast<std::size_t>(node)].push_back({id, mark});
      if (!node_busy_[static_cast<std::size_t>(node)]) start_next(node);
      return;
    }
    rank_ready(c, unit - op_unit_[id], mark);
  }

  // Starts the next queued compute op on `node` at the current time.
  void start_next(plan::NodeId node) {
    auto& queue = node_queue_[static_cast<std::size_t>(node)];
    if (queue.empty()) {
      node_busy_[static_cast<std::size_t>(node)] = false;
      return;
    }
    auto [id, ready] = queue.front();
    queue.pop_front();
    node_busy_[static_cast<std::size_t>(node)] = true;
    const auto& compute = std::get<ComputeOp>(op(id).kind);
    const double streamed = streamed_.empty() ? 0.0 : streamed_[static_cast<std::size_t>(node)];
    const hw::ComputeCost cost = hw::roofline(topology_.node(node), compute.work, streamed);
    const Time now = engine_.now();
    Mark done{now + cost.total(), ready.cp, ready.phases, -1};
    if (trace_) {
      trace_->spans.push_back(TraceSpan{TraceSpan::Kind::compute, node, block_index_, id, -1, offset_ + now,
                                        offset_ + done.time, false});
      done.via = add_path_step(false, static_cast<std::int32_t>(trace_->spans.size() - 1), ready.via);
    }
    // The op owns its queueing for the CPU as well as its run: on the critical path, the CPU was busy with work
    // that is not on the path, and this op is what the path waited to run.
    Breakdown span;
    span.waiting = now - ready.time;
    (cost.memory_bound() ? span.memory : span.compute) = cost.total() - cost.overhead;
    span.overhead = cost.overhead;
    done.charge(span, op(id).phase);
    running_[static_cast<std::size_t>(node)] = done;
    NodeStats& stats = nodes_[static_cast<std::size_t>(node)];
    stats.flops += compute.work.flops;
    stats.memory_read += compute.work.bytes_read;
    stats.memory_written += compute.work.bytes_written;
    stats.storage_read += cost.from_storage;
    stats.compute_busy += cost.total();
    engine_.schedule_at(done.time, Event{ComputeDone{id}});
  }

  void compute_done(OpId id) {
    const plan::NodeId node = std::get<ComputeOp>(op(id).kind).node;
    const Mark done = running_[static_cast<std::size_t>(node)];
    start_next(node);
    fire(op_signal_[id], done);
  }

  void rank_ready(int c, int rank, const Mark& mark) {
    CollectiveState& s = collectives_[static_cast<std::size_t>(c)];
    const auto r = static_cast<std::size_t>(rank);
    s.rank_ready[r] = true;
    s.rank_mark[r] = mark;
    if (s.first_ready.ps < 0 || mark.time < s.first_ready) s.first_ready = mark.time;
    for (std::uint32_t k : s.steps_from[r]) {
      if (s.step_waiting.empty() || s.step_waiting[k] == 0) start_step(c, k, mark);
    }
    maybe_complete(c, rank);
  }

  void start_step(int c, std::uint32_t k, const Mark& base) {
    CollectiveState& s = collectives_[static_cast<std::size_t>(c)];
    const auto& members = std::get<CollectiveOp>(op(s.op).kind).members;
    const collective::Step& step = s.schedule.steps[k];
    if (!s.step_mark.empty()) s.step_mark[k] = base;
    network_->start(engine_.now(),
                    net::TransferRequest{members[static_cast<std::size_t>(step.src)],
                                         members[static_cast<std::size_t>(step.dst)], step.bytes,
                                         (static_cast<std::uint64_t>(c) << 32) | k},
                    *this);
  }

  void step_delivered(int c, std::uint32_t k, const net::TransferTiming& timing) {
    CollectiveState& s = collectives_[static_cast<std::size_t>(c)];
    const collective::Step& step = s.schedule.steps[k];
    const Mark& base = s.step_mark.empty() ? s.rank_mark[static_cast<std::size_t>(step.src)] : s.step_mark[k];
    Mark mark{timing.delivered, base.cp, base.phases, -1};
    if (trace_) {
      const auto& members = std::get<CollectiveOp>(op(s.op).kind).members;
      transfers_.push_back(TraceSpan{TraceSpan::Kind::transfer, members[static_cast<std::size_t>(step.src)],
                                     block_index_, s.op, members[static_cast<std::size_t>(step.dst)],
                                     offset_ + timing.started, offset_ + timing.delivered, true});
      mark.via = add_path_step(true, static_cast<std::int32_t>(transfers_.size() - 1), base.via);
    }
    // Everything a message costs, its queueing included, belongs to its collective's phase.
    Breakdown span;
    span.waiting = timing.waiting;
    span.overhead = timing.overhead;
    span.latency = timing.latency;
    span.serialization = timing.serialization;
    mark.charge(span, op(s.op).phase);
    const auto dst = static_cast<std::size_t>(step.dst);
    if (mark.time >= s.last_in[dst].time) s.last_in[dst] = mark;
    --s.incoming[dst];
    if (!s.dependents.empty()) {
      s.step_mark[k] = mark;
      for (std::uint32_t next : s.dependents[k]) {
        if (mark.time >= s.step_mark[next].time) s.step_mark[next] = mark;
        const auto src = static_cast<std::size_t>(s.schedule.steps[next].src);
        if (--s.step_waiting[next] == 0 && s.rank_ready[src]) {
          if (s.rank_mark[src].time > s.step_mark[next].time) s.step_mark[next] = s.rank_mark[src];
          start_step(c, next, s.step_mark[next]);
        }
      }
    }
    maybe_complete(c, step.dst);
  }

  // Fires (collective, rank) once the rank is ready and everything addressed to it has arrived; fires
  // (collective, everywhere) after the last rank.
  void maybe_complete(int c, int rank) {
    CollectiveState& s = collectives_[static_cast<std::size_t>(c)];
    const auto r = static_cast<std::size_t>(rank);
    if (!s.rank_ready[r] || s.incoming[r] != 0) return;
    const Mark& mark = s.last_in[r].time > s.rank_mark[r].time ? s.last_in[r] : s.rank_mark[r];
    const auto& c_op = std::get<CollectiveOp>(op(s.op).kind);
    nodes_[static_cast<std::size_t>(c_op.members[r])].payload_delivered += collective::result_bytes(c_op.spec, rank);
    s.incoming[r] = -1;  // completed: never again
    fire(s.first_signal + rank, mark);
    if (++s.ranks_fired == c_op.spec.ranks()) {
      if (trace_) {
        trace_->spans.push_back(TraceSpan{TraceSpan::Kind::collective, s.op, block_index_, s.op, -1,
                                          offset_ + s.first_ready, offset_ + mark.time, false});
      }
      fire(s.first_signal + c_op.spec.ranks(), mark);
    }
  }

  // One step of a critical path: a compute span (trace_->spans) or a transfer (transfers_), and the step before.
  struct PathStep {
    bool transfer;
    std::int32_t index;
    std::int32_t parent;
  };
  std::int32_t add_path_step(bool transfer, std::int32_t index, std::int32_t parent) {
    path_.push_back(PathStep{transfer, index, parent});
    return static_cast<std::int32_t>(path_.size() - 1);
  }
  // Flags the compute spans of the block's critical path and records its messages.
  void mark_critical_path() {
    for (std::int32_t at = last_.via; at >= 0; at = path_[static_cast<std::size_t>(at)].parent) {
      const PathStep& step = path_[static_cast<std::size_t>(at)];
      if (step.transfer) {
        trace_->spans.push_back(transfers_[static_cast<std::size_t>(step.index)]);
      } else {
        trace_->spans[static_cast<std::size_t>(step.index)].critical = true;
      }
    }
  }

  const topo::Topology& topology_;
  const plan::Block& block_;
  const std::vector<double>& streamed_;  // per node: fraction of weights read from storage
  std::vector<NodeStats>& nodes_;
  std::unique_ptr<net::NetworkModel> network_;
  core::Engine<Event> engine_;

  std::vector<int> op_unit_;        // per op, its (first) unit
  std::vector<int> op_signal_;      // per op, its (first) signal
  std::vector<int> op_collective_;  // per op, index in collectives_ (-1 for compute ops)
  std::vector<CollectiveState> collectives_;
  std::vector<int> unit_waiting_;  // per unit, signals not yet fired
  std::vector<OpId> unit_op_;
  std::vector<std::vector<int>> signal_waiters_;
  std::vector<Time> signal_time_;
  std::vector<bool> signal_fired_;
  std::size_t fired_ = 0;
  Mark last_;

  struct Queued {
    OpId op;
    Mark ready;
  };
  std::vector<std::deque<Queued>> node_queue_;
  std::vector<bool> node_busy_;
  std::vector<Mark> running_;  // per node, the mark its running op will finish with

  Trace* trace_;
  std::int32_t block_index_;
  Time offset_;                       // where this block starts on the trace's time axis
  std::size_t link_spans_ = 0;
  std::vector<TraceSpan> transfers_;  // every message, kept until the critical path is known
  std::vector<PathStep> path_;
};

}  // namespace

RunStats execute(const topo::Topology& topology, const plan::OpGraph& graph,
                 const net::NetworkOptions& network, Trace* trace) {
  RunStats stats;
  stats.nodes.assign(static_cast<std::size_t>(topology.node_count()), NodeStats{});
  stats.links.assign(static_cast<std::size_t>(2 * topology.link_count()), LinkStats{});
  Time trace_offset;
  for (std::size_t b = 0; b < graph.blocks.size(); ++b) {
    const plan::Block& block = graph.blocks[b];
    if (trace) {
      trace->block_names.push_back(block.name + " (x" + std::to_string(block.repeat) + ")");
      trace->op_labels.emplace_back();
      for (const plan::Op& o : block.ops) trace->op_labels.back().push_back(o.label);
    }
    std::vector<NodeStats> nodes(stats.nodes.size());
    BlockRun run(topology, block, graph.streamed_weight_fraction, network, nodes, trace, static_cast<std::int32_t>(b),
                 trace_offset);
    const Mark end = run.run();
    trace_offset += end.time;
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
  require(stats.critical_path.total() == stats.token_latency, "executor: critical path does not add up to the run");
  require(stats.phases.total() == stats.token_latency, "executor: phases do not add up to the run");
  return stats;
}

}  // namespace shardsim::exec
