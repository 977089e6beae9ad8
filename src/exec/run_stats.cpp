#include "shardsim/exec/run_stats.hpp"

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

}  // namespace shardsim::exec
