#pragma once
// Runs an op graph on the simulated cluster and measures it.
//
// Each node computes one op at a time, in the order ops become ready (FIFO), each costing its roofline time.
// Collectives are expanded into point-to-point steps (collective::expand) that the network model prices.
// Dependencies are per node: a compute op on node n that depends on a collective waits only for the
// collective's result to be complete on n; a collective rank starts sending once the ops it depends on *on its
// own node* are done (a dependency on an op placed elsewhere gates every rank). A collective is complete on a
// member when that member is ready and every step addressed to it has been delivered.
//
// Blocks end at a barrier where every CPU and link is idle, so all repetitions of a block take the same time:
// the executor simulates one repetition and multiplies its time and counters by `repeat`.
//
// The critical path is the chain of compute runs and messages that ends last; its time is split two ways, both
// adding up to the path's length exactly (RunStats::critical_path by kind of cost, RunStats::phases by op
// phase). Each span of the path has one owner: a compute op owns its queueing for its CPU and its run, a
// collective owns each of its messages' overheads, latency, serialization and queueing. The owner's
// plan::Phase gets the span, so a training step reads as forward + backward + gradient sync + optimizer.

#include "shardsim/exec/run_stats.hpp"
#include "shardsim/exec/trace.hpp"
#include "shardsim/net/network_model.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/plan/op_graph.hpp"

namespace shardsim::exec {

// `trace`, when given, receives the timeline of the run (trace.hpp); recording it costs time and memory.
RunStats execute(const topo::Topology& topology, const plan::OpGraph& graph,
                 const net::NetworkOptions& network, Trace* trace = nullptr);

}  // namespace shardsim::exec
