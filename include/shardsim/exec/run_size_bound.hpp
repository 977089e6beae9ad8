#pragma once
// What a run of `graph` may hold at once, bounded before it runs (a run's memory estimate): the op graph itself, and
// the largest state a block's repetition builds (executor.cpp's BlockRun): its dependency index, every collective
// expanded (collective::size_bound), every step's message in flight at once in the network model
// (net::message_bytes_bound over the topology's longest route), an engine event per message and op, and the
// counters. Counts are doubles (a million-rank ring has 10^12 steps); `bytes` is an upper bound of the heap bytes
// without a trace (a trace adds its spans), assuming vectors at most twice their size.

#include "shardsim/net/network_model.hpp"
#include "shardsim/plan/op_graph.hpp"
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

}  // namespace shardsim::exec
