#include "shardsim/app/pipeline.hpp"

#include "shardsim/exec/executor.hpp"
#include "shardsim/plan/memory_fit.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/plan/expert_plan.hpp"
#include "shardsim/plan/pipeline_plan.hpp"
#include "shardsim/plan/tensor_plan.hpp"

namespace shardsim::app {

plan::PlannedWorkload plan_scenario(const scenario::Scenario& s) {
  plan::PlannedWorkload planned = [&s] {
    switch (s.plan.strategy) {
      case plan::Strategy::tensor:
        return plan::build_tensor_plan(*s.transformer, s.run.batch, s.run.context, s.plan);
      case plan::Strategy::pipeline:
        return plan::build_pipeline_plan(*s.transformer, s.run.batch, s.run.context, s.plan);
      case plan::Strategy::expert:
        return plan::build_expert_plan(*s.transformer, s.run.batch, s.run.context, s.plan);
      case plan::Strategy::seed:
        break;
    }
    return plan::build_seed_plan(s.model, s.run.batch, s.plan);
  }();
  planned.graph.streamed_weight_fraction = plan::streamed_weight_fractions(s.topology, planned);
  return planned;
}

report::Result run_scenario(const scenario::Scenario& s, exec::Trace* trace) {
  const plan::PlannedWorkload planned = plan_scenario(s);
  exec::RunStats stats = exec::execute(s.topology, planned.graph, s.network, trace);
  report::RunInputs inputs{s.path,  s.topology_path, s.model_preset, &s.topology, s.model,
                           s.plan,  s.run,           s.network,      s.transformer};
  return report::make_result(std::move(inputs), planned, std::move(stats));
}

}  // namespace shardsim::app
