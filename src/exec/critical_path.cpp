#include "critical_path.hpp"

namespace shardsim::exec {

PathStepId CriticalPath::add_compute(std::int32_t span, PathStepId parent) {
  return steps_.push_back(Step{false, span, parent});
}

PathStepId CriticalPath::add_message(const TraceSpan& message, PathStepId parent) {
  messages_.push_back(message);
  return steps_.push_back(Step{true, static_cast<std::int32_t>(messages_.size() - 1), parent});
}

void CriticalPath::record(Trace& trace) const {
  for (PathStepId at = end_.via; at != PathStepId::none; at = steps_[at].parent) {
    const Step& step = steps_[at];
    if (step.message) {
      trace.spans.push_back(messages_[static_cast<std::size_t>(step.index)]);
    } else {
      trace.spans[static_cast<std::size_t>(step.index)].critical = true;
    }
  }
}

}  // namespace shardsim::exec
