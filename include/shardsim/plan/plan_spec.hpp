#pragma once
// What the user asks of a plan: the sharding strategy, how many nodes it uses (the topology's first `nodes`
// compute nodes, in declaration order; rank 0 is the root that holds the input and receives the output), and the
// algorithm its collectives use.

#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/collective/collective.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::plan {

enum class Strategy {
  seed,    // the seed notebook's split of every MLP across all nodes ([model])
  tensor,    // Megatron-style tensor parallelism of a transformer's layers ([transformer], tensor_plan.hpp)
  pipeline,  // contiguous layer stages of tensor_degree nodes, with micro-batches ([transformer], pipeline_plan.hpp)
  expert,    // a mixture of experts spread over the nodes ([transformer], expert_plan.hpp)
};

enum class Routing {
  seeded,  // each token's experts drawn from std::mt19937_64(seed)
  worst,   // each token's experts all on one node other than node 0
};

struct PlanSpec {
  Strategy strategy = Strategy::seed;
  int nodes = 1;
  collective::Algorithm algorithm = collective::Algorithm::direct;
  int micro_batches = 1;  // pipeline: micro-batches a pass's batch is cut into
  int tensor_degree = 1;  // pipeline: nodes per stage, splitting its layers as the tensor plan does
  Routing routing = Routing::seeded;  // expert: how tokens choose their experts
  std::uint64_t seed = 1;             // expert: the routing generator's seed
  // Per rank, the group its hierarchical collectives gather in: the vertex of the switch the node hangs off
  // (attachment_groups). Empty: one group.
  std::vector<int> groups;
};

// The switch each of the topology's first `nodes` nodes is attached to (the far end of its first link, when that is
// a switch; the node itself otherwise), as a group id per rank.
std::vector<int> attachment_groups(const topo::Topology& topology, int nodes);

}  // namespace shardsim::plan
