#pragma once
// What a run of `graph` may hold at once, bounded before it runs (a run's memory estimate): the op graph itself, and
// the largest state a block's repetition builds (executor.cpp's BlockRun): its dependency index, every collective
// expanded (collective::size_bound), every step's message in flight at once in the network model
// (net::message_bytes_bound over the topology's longest route), an engine event per message and op, and the
// counters. Counts are doubles (a million-rank ring has 10^12 steps); `bytes` is an upper bound of the heap bytes
// without a trace (a trace adds its spans), assuming vectors at most twice their size.

#include "shardsim/net/network_model.hpp"
#include "shardsim/plan/op_graph.hpp"
#include "shardsim/plan/plan_floor.hpp"
#include "shardsim/topo/topology.hpp"

namespace shardsim::exec {

struct RunSizeBound {
  double ops = 0;         // in the graph
  double ranks = 0;       // the most ranks of one collective
  double steps = 0;       // point-to-point steps of the largest block (each a message in flight at worst)
  double graph_bytes = 0; // the op graph
  double block_bytes = 0; // the largest block's run state
  double bytes() const { return graph_bytes + block_bytes; }
};
RunSizeBound run_size_bound(const topo::Topology& topology, const plan::OpGraph& graph,
                            const net::NetworkOptions& network);

// A lower bound of run_size_bound of any graph that holds `floor` (plan_floor.hpp), without building it: the floor's
// ops and collectives in one block, counted with run_size_bound's figures for each (an op's entry, a collective's
// members, schedule and run state, a message in flight per step), less everything the floor does not know (labels,
// dependencies, group ids, the other blocks). `ops` and `steps` are the floor's; `ranks` its largest collective's.
// Zero for the empty floor.
RunSizeBound run_size_floor(const topo::Topology& topology, const plan::PlanFloor& floor,
                            const net::NetworkOptions& network);

}  // namespace shardsim::exec
