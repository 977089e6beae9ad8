#include "shardsim/study/pipeline.hpp"

#include "shardsim/exec/executor.hpp"
#include "shardsim/plan/expert_plan.hpp"
#include "shardsim/plan/memory_fit.hpp"
#include "shardsim/plan/pipeline_plan.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/plan/tensor_mlp_plan.hpp"
#include "shardsim/plan/tensor_plan.hpp"
#include "shardsim/plan/training_plan.hpp"

namespace shardsim::study {
namespace {

// Seeded expert routing: the k-th pass of a generation draws its experts from seed + k, so every token routes
// differently yet the whole generation is reproducible.
plan::PlanSpec for_pass(const plan::PlanSpec& plan, std::int64_t k) {
  plan::PlanSpec p = plan;
  p.seed += static_cast<std::uint64_t>(k);
  return p;
}

}  // namespace

plan::PlannedWorkload plan_pass(const scenario::Scenario& s, const workload::PassShape& pass, std::int64_t k) {
  plan::PlannedWorkload planned = [&] {
    switch (s.plan.strategy) {
      case plan::Strategy::tensor:
        if (!s.transformer) return plan::build_tensor_mlp_plan(s.model, s.run.batch, s.plan);
        return plan::build_tensor_plan(*s.transformer, pass, s.plan);
      case plan::Strategy::pipeline:
        return plan::build_pipeline_plan(*s.transformer, pass, s.plan);
      case plan::Strategy::expert:
        return plan::build_expert_plan(*s.transformer, pass, for_pass(s.plan, k));
      case plan::Strategy::seed:
        break;
    }
    return plan::build_seed_plan(s.model, s.run.batch, s.plan);
  }();
  planned.graph.streamed_weight_fraction = plan::streamed_weight_fractions(s.topology, planned);
  return planned;
}

plan::PlannedWorkload plan_scenario(const scenario::Scenario& s) {
  if (s.run.training) {
    // No streaming from storage: a training step rewrites every weight it holds, so what does not fit is a result
    // ("does not fit"), not a slower step.
    return plan::build_training_plan(*s.transformer, *s.run.training, s.run.batch, s.plan);
  }
  // The decode step at the scenario's context: in a generation, its last step (pass prompt + generated - 1).
  const std::int64_t k = s.run.generates() ? s.run.generated_tokens - 1 : 0;
  return plan_pass(s, {workload::PassKind::decode, s.run.batch, s.run.context}, k);
}

report::Result run_scenario(const scenario::Scenario& s, exec::Trace* trace) {
  const plan::PlannedWorkload planned = plan_scenario(s);
  exec::RunStats stats = exec::execute(s.topology, planned.graph, s.network, trace);
  std::optional<report::Generation> generation;
  if (s.run.generates()) {
    // Pass 0 is the prefill; pass k >= 1 the decode step of token k + 1 with prompt + k tokens in the cache.
    // The last pass is the one simulated above (with the trace); it is not run twice.
    report::Generation g;
    const std::int64_t prompt = s.run.prompt_tokens;
    g.time_to_first_token =
        exec::execute(s.topology, plan_pass(s, {workload::PassKind::prefill, s.run.batch, prompt}, 0).graph,
                      s.network)
            .token_latency;
    for (std::int64_t k = 1; k < s.run.generated_tokens - 1; ++k) {
      const plan::PlannedWorkload step = plan_pass(s, {workload::PassKind::decode, s.run.batch, prompt + k}, k);
      g.decode.push_back(exec::execute(s.topology, step.graph, s.network).token_latency);
    }
    g.decode.push_back(stats.token_latency);
    generation = std::move(g);
  }
  report::RunInputs inputs{s.path,  s.topology_path, s.model_preset, &s.topology, s.model,
                           s.plan,  s.run,           s.network,      s.transformer};
  return report::make_result(std::move(inputs), planned, std::move(stats), std::move(generation));
}

}  // namespace shardsim::study
