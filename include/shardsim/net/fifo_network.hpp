#pragma once
// The FIFO store-and-forward network model. A message pays its sender's and receiver's CPU as every message does
// (message_path.hpp: one message at a time per CPU, send_overhead and recv_overhead, framing to W wire bytes);
// in between it crosses each link of its route whole: it waits until the link direction is free (first come,
// first served), occupies it for W / bandwidth, then propagates for the link's latency; a switch in between adds
// its forwarding latency once the whole message has arrived.
// One uncongested message therefore takes send_overhead + sum(W / bw_i + latency_i) + sum(forwarding) +
// recv_overhead. Links are never shared concurrently: a busy link queues, so k messages on one link take k times
// the serialization. Frames are not pipelined across hops (the fair model pipelines them). Each link direction
// counts W / bandwidth busy per message, and reports that interval (NetContext::link_busy). Times are picoseconds.

#include <vector>

#include "shardsim/net/message_path.hpp"
#include "shardsim/net/network_model.hpp"

namespace shardsim::net {

class FifoNetwork final : public NetworkModel {
 public:
  FifoNetwork(const topo::Topology& topology, NetworkOptions options);

  void start(Time now, const TransferRequest& request, NetContext& ctx) override;
  void handle(Time now, const NetEvent& event, NetContext& ctx) override;
  const NetCounters& counters() const override { return path_.counters(); }
  std::size_t in_flight() const override { return path_.in_flight(); }
  // network_model.hpp's message_bytes_bound for this model.
  static std::size_t message_bytes_bound(std::size_t route_links);

 private:
  // What FIFO keeps per message: the route it walks hop by hop.
  struct Hops {
    std::vector<topo::DirLinkId> route;
  };

  MessagePath<Hops> path_;
  std::vector<Time> link_free_;  // per link direction: when it next becomes idle
};

}  // namespace shardsim::net
