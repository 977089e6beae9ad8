#include "collective_run.hpp"

#include "shardsim/util/error.hpp"

namespace shardsim::exec {

CollectiveRun::CollectiveRun(plan::OpId op, const plan::CollectiveOp& collective)
    : op_(op), collective_(&collective), schedule_(collective::expand(collective.spec)) {
  ranks_.assign(static_cast<std::size_t>(collective.spec.ranks()), RankState{});
  index_sends();
  if (!schedule_.deps.empty()) index_dependents();
}

// Groups the steps by source rank, in schedule order, and counts the deliveries each rank waits for.
void CollectiveRun::index_sends() {
  for (const collective::Step& step : schedule_.steps) {
    ++ranks_[step.src].send_count;
    ++ranks_[step.dst].incoming;
  }
  // As in DependencyIndex::add_waits: each group's start counts down from its end as steps are placed back to front.
  std::uint32_t end = 0;
  for (RankState& rank : ranks_) {
    end += rank.send_count;
    rank.first_send = end;
  }
  sends_.resize(schedule_.steps.size());
  for (auto k = static_cast<StepIndex>(schedule_.steps.size()); k-- > 0;) {
    sends_[--ranks_[schedule_.steps[k].src].first_send] = k;
  }
}

// For each step, the steps that wait for it (in schedule order) and how many deliveries it waits for.
void CollectiveRun::index_dependents() {
  const auto n = static_cast<StepIndex>(schedule_.steps.size());
  steps_.assign(n, StepState{});
  for (StepIndex k = 0; k < n; ++k) {
    for (StepIndex dep : schedule_.deps_of(k)) {
      ++steps_[dep].dependent_count;
      ++steps_[k].waiting;
    }
  }
  std::uint32_t end = 0;
  for (StepState& step : steps_) {
    end += step.dependent_count;
    step.first_dependent = end;
  }
  dependents_.resize(schedule_.deps.size());
  for (StepIndex k = n; k-- > 0;) {
    const auto deps = schedule_.deps_of(k);
    for (auto dep = deps.rbegin(); dep != deps.rend(); ++dep) dependents_[--steps_[*dep].first_dependent] = k;
  }
}

std::optional<Mark> CollectiveRun::complete(std::int32_t rank) {
  RankState& r = ranks_[rank];
  if (!r.ready || r.incoming != 0) return std::nullopt;
  r.incoming = -1;  // completed: never again
  return r.last_in.time > r.ready_mark.time ? r.last_in : r.ready_mark;
}

}  // namespace shardsim::exec
