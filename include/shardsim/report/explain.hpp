#pragma once
// The closed-form estimate of a token, op by op, beside the simulated figures: what `shardsim explain` prints, so
// a user sees why the number is what it is and how much contention adds.
//
// For each op of a block the estimate is a lower bound on its duration with nothing else running:
//   compute op: its roofline time on its node (hw/roofline.hpp);
//   collective: the largest of (a) the busiest CPU: messages a rank sends x send_overhead (or receives x
//     recv_overhead), (b) the busiest link direction: wire bytes crossing it / its bandwidth (routes as the
//     topology routes them), (c) the longest dependency chain of its steps x one uncongested message
//     (send_overhead + wire bytes / bottleneck bandwidth + route latency + recv_overhead, smallest message).
// The block's estimate is the larger of the longest path through its ops (each op costing its bound: what the
// block would take if ops never waited for each other's resources) and the busiest single resource over the whole
// block (compute per node, bytes per link direction). Both are lower bounds of the simulated time; the gap is
// queueing and contention.

#include <ostream>

#include "shardsim/net/network_model.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/plan/op_graph.hpp"

namespace shardsim::report {

struct OpEstimate {
  std::string label;       // op label, or a group "expert0.expand[0..1023]"
  std::string kind;        // "compute" or the collective kind and algorithm
  std::string detail;      // the terms of the estimate
  Time estimate;           // the largest op of the group
  int count = 1;           // ops in the group
};

struct BlockEstimate {
  std::string name;
  std::int64_t repeat = 1;
  std::vector<OpEstimate> ops;  // in op order, identical consecutive ops grouped
  Time path;                    // longest path through the ops
  Time resource;                // busiest resource over the block
  std::string resource_name;    // which one
  Time estimate() const { return path > resource ? path : resource; }
};

std::vector<BlockEstimate> estimate(const topo::Topology& topology, const plan::OpGraph& graph,
                                    const net::NetworkOptions& network);

}  // namespace shardsim::report
