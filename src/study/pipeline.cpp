#include "shardsim/study/pipeline.hpp"

#include "shardsim/exec/executor.hpp"
#include "shardsim/exec/generation.hpp"

namespace shardsim::study {

plan::Model model_of(const scenario::Scenario& s) {
  return s.transformer ? plan::Model{nullptr, &*s.transformer} : plan::Model{&s.model, nullptr};
}

plan::PlannedWorkload plan_scenario(const scenario::Scenario& s, const plan::PlanSpec& plan) {
  if (s.run.training) {
    // No streaming from storage: a training step rewrites every weight it holds, so what does not fit is a result
    // ("does not fit"), not a slower step.
    return plan::plan_training_step(*s.transformer, *s.run.training, s.run.batch, plan);
  }
  // The decode step at the scenario's context: in a generation, its last step (pass prompt + generated - 1).
  const std::int64_t k = s.run.generates() ? s.run.generated_tokens - 1 : 0;
  return plan::plan_pass(s.topology, model_of(s), plan, {workload::PassKind::decode, s.run.batch, s.run.context}, k);
}

plan::PlannedWorkload plan_scenario(const scenario::Scenario& s) { return plan_scenario(s, s.plan); }

plan::PlanFloor floor_scenario(const scenario::Scenario& s) {
  const plan::Strategy& strategy = plan::strategy_of(s.plan);
  if (s.run.training) return strategy.training_floor(*s.transformer, *s.run.training, s.run.batch, s.plan);
  return strategy.floor(model_of(s), {workload::PassKind::decode, s.run.batch, s.run.context}, s.plan);
}

report::Result run_scenario(const scenario::Scenario& s, exec::Trace* trace) {
  const plan::PlannedWorkload planned = plan_scenario(s);
  // A generation's prefill and earlier steps first, so that a trace has them in order before the last step.
  std::optional<exec::Generation> generation;
  if (s.run.generates()) generation = exec::run_generation(s.topology, s.network, model_of(s), s.plan, s.run, trace);
  exec::RunStats stats = exec::execute(s.topology, planned.graph, s.network, trace);
  if (generation) generation->decode.push_back(stats.token_latency);
  report::RunInputs inputs{s.path,  s.topology_path, s.model_preset, &s.topology, s.model,
                           s.plan,  s.run,           s.network,      s.transformer};
  return report::make_result(std::move(inputs), planned, std::move(stats), std::move(generation));
}

}  // namespace shardsim::study
