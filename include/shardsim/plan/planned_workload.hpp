#pragma once
// What a plan hands to the executor and the report: the placed op graph of one pass (op_graph.hpp), which
// topology node plays each plan rank, and what each rank holds in memory. Sizes in bytes.

#include <cstdint>
#include <vector>

#include "shardsim/plan/op_graph.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::plan {

// Per plan rank: parameters held and bytes resident.
struct RankFootprint {
  std::int64_t params = 0;  // weights held, over all layers and experts
  Bytes weights;
  Bytes activations;        // peak live activations of one layer (input, full activation, output piece)
  Bytes kv_cache;           // attention keys and values held for the context (transformer plans)
  Bytes gradients;          // training: weight gradients held (workload::training_state)
  Bytes optimizer;          // training: fp32 master copy and optimizer moments held
  Bytes total() const { return weights + activations + kv_cache + gradients + optimizer; }
};

struct PlannedWorkload {
  OpGraph graph;                         // one pass (a decode step of `batch` rows, a prefill, a training step)
  std::vector<NodeId> nodes;             // plan rank -> topology node
  std::vector<RankFootprint> footprint;  // per rank
};

}  // namespace shardsim::plan
