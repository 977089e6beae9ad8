#include "dependency_index.hpp"

#include <utility>
#include <variant>

namespace shardsim::exec {

DependencyIndex::DependencyIndex(const plan::Block& block, int node_count) {
  const RankOf rank_of = add_ops(block, node_count);
  add_waits(waits(block, rank_of));
}

// Gives every op its units and signals, every collective its CollectiveId and its node-to-rank table.
DependencyIndex::RankOf DependencyIndex::add_ops(const plan::Block& block, int node_count) {
  RankOf rank_of;
  ops_.reserve(block.ops.size());
  for (plan::OpId id = 0; id < static_cast<plan::OpId>(block.ops.size()); ++id) {
    const plan::Op& op = block.ops[id];
    for (plan::OpId dep : op.deps) require(dep >= 0 && dep < id, "op graph: a dependency must name an earlier op");
    OpEntry entry{units_.next_id(), signals_.next_id()};
    if (const auto* compute = std::get_if<plan::ComputeOp>(&op.kind)) {
      require(compute->node >= 0 && compute->node < node_count, "compute op on a missing node");
      units_.push_back(Unit{id});
      signals_.push_back(Signal{});
      ops_.push_back(entry);
      continue;
    }
    const auto& c = std::get<plan::CollectiveOp>(op.kind);
    const int p = c.spec.ranks();
    require(static_cast<int>(c.members.size()) == p, "collective: one member per rank");
    entry.collective = collectives_.push_back(id);
    entry.ranks = p;
    for (int r = 0; r < p; ++r) units_.push_back(Unit{id, entry.collective, r});
    for (int s = 0; s <= p; ++s) signals_.push_back(Signal{});
    std::vector<std::int32_t> ranks(node_count, -1);
    for (int r = 0; r < p; ++r) {
      const plan::NodeId node = c.members[r];
      require(node >= 0 && node < node_count, "collective member is not a node");
      ranks[node] = r;
    }
    rank_of.push_back(std::move(ranks));
    ops_.push_back(entry);
  }
  return rank_of;
}

// Every (signal, unit) wait of the block, in declaration order (see the header for which signal).
std::vector<DependencyIndex::Wait> DependencyIndex::waits(const plan::Block& block, const RankOf& rank_of) const {
  // The signal of `dep` that a unit on `node` waits for.
  auto signal_for = [&](plan::OpId dep, plan::NodeId node) {
    const OpEntry& d = ops_[dep];
    if (d.collective == CollectiveId::none) return d.first_signal;
    const std::int32_t rank = rank_of[d.collective][node];
    return offset(d.first_signal, rank >= 0 ? rank : d.ranks);
  };
  std::vector<Wait> out;
  for (plan::OpId id = 0; id < static_cast<plan::OpId>(block.ops.size()); ++id) {
    const plan::Op& op = block.ops[id];
    const OpEntry& entry = ops_[id];
    if (const auto* compute = std::get_if<plan::ComputeOp>(&op.kind)) {
      for (plan::OpId dep : op.deps) out.push_back(Wait{signal_for(dep, compute->node), entry.first_unit});
      continue;
    }
    const auto& c = std::get<plan::CollectiveOp>(op.kind);
    const std::vector<std::int32_t>& rank_on = rank_of[entry.collective];
    for (std::int32_t r = 0; r < entry.ranks; ++r) {
      const plan::NodeId node = c.members[r];
      for (plan::OpId dep : op.deps) {
        if (const auto* dc = std::get_if<plan::ComputeOp>(&block.ops[dep].kind)) {
          // A compute op on another member only gates that member's sends.
          if (dc->node != node && rank_on[dc->node] >= 0) continue;
        }
        out.push_back(Wait{signal_for(dep, node), offset(entry.first_unit, r)});
      }
    }
  }
  return out;
}

// Counts what each unit waits for, and groups the waits by signal, in declaration order.
void DependencyIndex::add_waits(const std::vector<Wait>& waits) {
  for (const Wait& w : waits) ++units_[w.unit].waiting;
  waiters_ = Grouped<SignalId, UnitId>(signals_.size(), [&](auto&& emit) {
    for (const Wait& w : waits) emit(w.signal, w.unit);
  });
}

std::vector<UnitId> DependencyIndex::ready_units() const {
  std::vector<UnitId> ready;
  for (UnitId id : units_.ids()) {
    if (units_[id].waiting == 0) ready.push_back(id);
  }
  return ready;
}

}  // namespace shardsim::exec
