#pragma once
// The FIFO store-and-forward network model. A message of S payload bytes (W wire bytes with framing):
//   1. waits for its sender's CPU, which handles one message at a time, and pays send_overhead there;
//   2. crosses each link of its route whole: it waits until the link direction is free (first come, first
//      served), occupies it for W / bandwidth, then propagates for the link's latency; a switch in between adds
//      its forwarding latency once the whole message has arrived;
//   3. waits for the receiver's CPU and pays recv_overhead there; then it is delivered.
// One uncongested message therefore takes send_overhead + sum(W / bw_i + latency_i) + sum(forwarding) +
// recv_overhead. Links are never shared concurrently: a busy link queues, so k messages on one link take k times
// the serialization. Frames are not pipelined across hops (a later model does that).

#include <vector>

#include "shardsim/net/network_model.hpp"

namespace shardsim::net {

class FifoNetwork final : public NetworkModel {
 public:
  FifoNetwork(const topo::Topology& topology, NetworkOptions options);

  void start(Time now, const TransferRequest& request, NetContext& ctx) override;
  void handle(Time now, const NetEvent& event, NetContext& ctx) override;
  const NetCounters& counters() const override { return counters_; }
  std::size_t in_flight() const override { return in_flight_; }

 private:
  struct Transfer {
    TransferRequest request;
    Bytes wire;
    std::vector<topo::DirLinkId> route;
    TransferTiming timing;
  };

  const topo::Topology& topology_;
  NetworkOptions options_;
  std::vector<Transfer> transfers_;  // slots, reused through free_
  std::vector<TransferId> free_;
  std::vector<Time> link_free_;      // per link direction: when it next becomes idle
  std::vector<Time> send_free_;      // per node: when its CPU may next send
  std::vector<Time> recv_free_;      // per node: when its CPU may next receive
  NetCounters counters_;
  std::size_t in_flight_ = 0;
};

}  // namespace shardsim::net
