#pragma once
// Whether a plan's shares fit the nodes that hold them, and what does not fit is streamed from storage. A node's
// usable RAM is its RAM less its OS reserve; activations must be resident; what is left holds as much of the
// node's weights as fits, and the rest (a fraction of every weight read) comes from storage at every use, if the
// node has storage. A node without storage whose share does not fit makes the scenario "does not fit": a reported
// result, simulated as if the weights were resident.

#include <vector>

#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::plan {

// Per topology node (indexed by NodeId), the fraction of its weights read from storage; 0 where everything fits
// or the node has no storage.
std::vector<double> streamed_weight_fractions(const topo::Topology& topology, const PlannedWorkload& planned);

}  // namespace shardsim::plan
