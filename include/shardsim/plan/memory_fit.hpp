#pragma once
// Whether a plan's shares fit the nodes that hold them, and what does not fit is streamed from storage. A node's
// usable RAM is its RAM less its OS reserve; activations must be resident; what is left holds first the node's KV
// cache (written at every token, so it is the last to leave RAM), then as much of its weights as fits. The rest of
// each (a fraction of every weight read, a fraction of every cache read) comes from storage at every use, if the
// node has storage: a cache beyond RAM is paged out and read back at storage bandwidth, exactly as weights beyond
// RAM are. A node without storage whose share does not fit makes the scenario "does not fit": a reported result,
// simulated as if everything were resident.

#include <vector>

#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::plan {

// Per topology node (indexed by NodeId), the fractions of its weights and of its KV cache read from storage; 0
// where everything fits or the node has no storage.
std::vector<hw::Streamed> streamed_fractions(const topo::Topology& topology, const PlannedWorkload& planned);

}  // namespace shardsim::plan
