#pragma once
// What the user asks of a plan: the sharding strategy, how many nodes it uses (the topology's first `nodes`
// compute nodes, in declaration order; rank 0 is the root that holds the input and receives the output), and the
// algorithm its collectives use.

#include <string>

#include "shardsim/collective/collective.hpp"

namespace shardsim::plan {

enum class Strategy {
  seed,  // the seed notebook's split of every MLP across all nodes
};

struct PlanSpec {
  Strategy strategy = Strategy::seed;
  int nodes = 1;
  collective::Algorithm algorithm = collective::Algorithm::direct;
};

}  // namespace shardsim::plan
