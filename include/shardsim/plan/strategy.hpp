#pragma once
// A strategy is one unit: how a model is laid out on the cluster (the seed notebook's split, tensor, pipeline or
// expert parallelism; later the runtimes people run). Each unit says, in one place:
//   - which models it runs and what it reads from [plan] (keys, ranges, defaults), every problem placed at its key;
//   - which collectives it needs, so that plan.collective means the same for every strategy that has any (and is
//     refused where a strategy sends only point-to-point messages);
//   - how it builds the placed op graph of one pass (a decode step or a prefill), and of a training step if it trains;
//   - how it describes itself in reports, and the closed-form figures it has beside the simulated ones.
// The scenario loader, the run pipeline and the report dispatch to it through strategy_of(); nothing else names a
// strategy. Adding one is a new file defining a Strategy and one line in strategy_registry.cpp.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shardsim/collective/collective.hpp"
#include "shardsim/util/key_reader.hpp"
#include "shardsim/plan/plan_floor.hpp"
#include "shardsim/plan/plan_spec.hpp"
#include "shardsim/plan/planned_workload.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/workload/model_spec.hpp"
#include "shardsim/workload/pass_shape.hpp"
#include "shardsim/workload/run_options.hpp"
#include "shardsim/workload/transformer_spec.hpp"

namespace shardsim::plan {

// The model a plan lays out: the seed notebook's MLP stack ([model]) or a transformer ([transformer]); exactly one
// is set.
struct Model {
  const workload::ModelSpec* mlp = nullptr;
  const workload::TransformerSpec* transformer = nullptr;
};

// What a strategy may consult while it reads its keys: the cluster, the model and how it is run.
struct PlanContext {
  const topo::Topology& topology;
  Model model;
  const workload::RunOptions& run;
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Its value of plan.strategy, or of plan.runtime for a runtime: a plan that lays out the work and the traffic as
  // a program people run does (its version in plan.runtime_version).
  virtual std::string_view name() const = 0;
  virtual bool is_runtime() const { return false; }
  // A runtime's versions whose behaviour differs, newest last, each worth comparing with the one chosen; empty
  // for a strategy.
  virtual std::vector<std::string> versions() const { return {}; }
  // The spec with another of its versions in place of the chosen one, all else as the user runs it (a default that
  // differs between versions, such as a thread count, keeps the value the chosen version ran with).
  virtual PlanSpec with_version(const PlanSpec& spec, const std::string& version) const {
    PlanSpec other = spec;
    other.runtime.version = version;
    return other;
  }
  // Whether a spec this strategy read, with one choice changed afterwards (another of its versions), still runs.
  virtual bool accepts(const Model&, const PlanSpec&, const workload::RunOptions&) const { return true; }

  // Inference. Reads the strategy's keys into `spec` (spec.strategy and spec.algorithm are already set; the
  // loader reads plan.collective); fails through `keys` on any problem, such as a model it cannot run.
  virtual void read(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const = 0;
  // One pass of the model. `pass_index` numbers the passes of a generation (0: the prefill), for plans whose
  // passes differ from token to token (seeded expert routing). Preconditions: what read() checked.
  virtual PlannedWorkload build(const Model& model, const workload::PassShape& pass, const PlanSpec& spec,
                                std::int64_t pass_index) const = 0;

  // A floor of what build() holds (plan_floor.hpp), from the validated spec without building it: what a run's memory
  // estimate refuses on before planning. Default: nothing known.
  virtual PlanFloor floor(const Model&, const workload::PassShape&, const PlanSpec&) const { return {}; }

  // Training ([train]). A strategy that trains reads its training keys and builds one step; the others refuse.
  virtual bool trains() const { return false; }
  virtual void read_training(KeyReader& keys, const PlanContext& ctx, PlanSpec& spec) const;
  virtual PlannedWorkload build_training(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                         std::int64_t batch, const PlanSpec& plan) const;
  // A floor of what build_training() holds, as floor() for build(). Default: nothing known.
  virtual PlanFloor training_floor(const workload::TransformerSpec&, const workload::TrainingRun&, std::int64_t,
                                   const PlanSpec&) const {
    return {};
  }

  // Collectives. False: the plan sends only point-to-point messages, and plan.collective is refused.
  virtual bool has_collectives() const { return true; }
  // The kinds of collective the plan runs with these choices (all of them must be supported by plan.collective).
  virtual std::vector<collective::CollectiveKind> collectives(const Model& model, const PlanSpec& spec,
                                                              bool training) const = 0;

  // Reports: what the text report's "plan" line says after "plan      " (continuation lines start with ten
  // spaces), and the seed notebook's closed-form layer figures where the plan has them.
  virtual std::string describe(const Model& model, const PlanSpec& spec, const workload::RunOptions& run) const = 0;
  virtual std::optional<SeedLayerFigures> layer_figures(const Model& model, const PlanSpec& spec,
                                                        std::int64_t batch) const;
};

// Every registered strategy, in the order they are listed to users.
std::span<const Strategy* const> strategies();
// The strategy named `name`, if there is one.
const Strategy* find_strategy(std::string_view name);
// The strategy a validated spec names (InternalError if it names none).
const Strategy& strategy_of(const PlanSpec& spec);

// Places a plan built on ranks 0..nodes-1 on the nodes plan.use names (rank r on use[r]): every compute op's node,
// every collective's members and the rank -> node list. A plan that names no nodes runs on the first `nodes`, where
// it was built. One place for every strategy, so that none of them has to know which nodes it runs on.
void place_on_nodes(PlannedWorkload& planned, const PlanSpec& spec);

// One training step of a validated plan, placed (the strategy's build_training, then place_on_nodes).
PlannedWorkload plan_training_step(const workload::TransformerSpec& spec, const workload::TrainingRun& run,
                                   std::int64_t batch, const PlanSpec& plan);

// One pass of a validated plan, placed, with the fraction of each node's weights streamed from storage
// (memory_fit.hpp) filled in: what the executor runs.
PlannedWorkload plan_pass(const topo::Topology& topology, const Model& model, const PlanSpec& spec,
                          const workload::PassShape& pass, std::int64_t pass_index);

}  // namespace shardsim::plan
