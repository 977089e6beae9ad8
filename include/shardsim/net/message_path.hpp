#pragma once
// What every message pays outside the links, whatever the network model (fifo_network.hpp, fair_network.hpp).
// A message of S payload bytes
//   1. waits for its sender's thread (TransferRequest::lane; one unless a runtime sends from several), which handles
//      one message at a time in the order they were started, and pays the sender's send_overhead there once per
//      send() call it takes;
//   2. is cut into frames: W = wire_bytes(S) bytes cross every link of its route (network_model.hpp), the route
//      being the topology's for (src, dst, tag); each hop adds its link's latency and, unless it is the last, the
//      forwarding latency of the switch at its head;
//   3. how it crosses the links is the model's;
//   4. waits for its receiver's CPU, one message at a time in arrival order, and pays recv_overhead there; then
//      it is delivered.
// MessagePath keeps the per-node CPU queues, the messages in flight (slots reused after delivery, so a run
// allocates only up to its peak), and the counters (NetCounters: payload per node when sent and when delivered,
// and what the model reports per link direction). Of a delivered message's TransferTiming the model sets latency
// and serialization; overhead is the two CPUs' and waiting is the rest, so that the four parts add up to
// delivered - started exactly. Times are picoseconds.
//
// `State` is what the model keeps per message beyond that (FIFO: the route it walks hop by hop; fair: its start
// order).

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "shardsim/net/network_model.hpp"
#include "shardsim/util/error.hpp"
#include "shardsim/util/slot_pool.hpp"

namespace shardsim::net {

template <class State>
class MessagePath {
 public:
  // What is kept per message in flight: with a million flows at once every byte here is a megabyte, so the wire
  // bytes (wire_of) and the timing's other parts (deliver) are computed rather than kept.
  struct Message {
    // The request's fields that outlive its sending (lane and send_calls are spent in send()).
    struct Route {
      topo::NodeId src = 0;
      topo::NodeId dst = 0;
      Bytes payload;
      std::uint64_t tag = 0;
    } request;
    Time started;
    Time overhead;       // the sender's send() calls and the receiver's recv_overhead, as paid
    Time latency;        // set by the model
    Time serialization;  // set by the model
    [[no_unique_address]] State state{};  // the model's
  };
  // A message that entered: its id, and when its sender's CPU is done with it (it may go on the wire).
  struct Sent {
    TransferId id;
    Time at;
  };

  // Requires a sealed topology and a positive mtu.
  MessagePath(const topo::Topology& topology, const NetworkOptions& options)
      : topology_(topology), options_(options) {
    require(topology.sealed(), "a network model needs a sealed topology");
    require(options.mtu.count > 0, "mtu must be positive");
    const auto nodes = static_cast<std::size_t>(topology.node_count());
    const auto dir_links = static_cast<std::size_t>(2 * topology.link_count());
    send_free_.assign(nodes, std::vector<Time>(1, Time{}));
    recv_free_.assign(nodes, Time{});
    counters_.node_payload_sent.assign(nodes, Bytes{});
    counters_.node_payload_received.assign(nodes, Bytes{});
    counters_.link_wire_bytes.assign(dir_links, Bytes{});
    counters_.link_busy.assign(dir_links, Time{});
  }

  const topo::Topology& topology() const { return topology_; }

  // The message enters at `now`: a slot, its wire bytes, the sender's counters, then the sender's CPU.
  Sent send(Time now, const TransferRequest& request) {
    const TransferId id = acquire_slot(messages_, free_);
    Message& m = messages_[id];
    m.request = {request.src, request.dst, request.payload, request.tag};
    m.started = now;
    m.overhead = Time{};
    m.latency = Time{};
    m.serialization = Time{};
    ++in_flight_;
    ++counters_.transfers;
    counters_.node_payload_sent[static_cast<std::size_t>(request.src)] += request.payload;
    const Time overhead = topology_.node(request.src).send_overhead * request.send_calls;
    std::vector<Time>& lanes = send_free_[static_cast<std::size_t>(request.src)];
    if (lanes.size() <= request.lane) lanes.resize(request.lane + 1u, Time{});
    Time& cpu = lanes[request.lane];
    cpu = std::max(now, cpu) + overhead;
    m.overhead += overhead;
    return Sent{id, cpu};
  }

  Message& operator[](TransferId id) { return messages_[id]; }
  const Message& operator[](TransferId id) const { return messages_[id]; }
  // Its bytes on the wire: wire_bytes(payload).
  Bytes wire_of(const Message& m) const { return wire_bytes(m.request.payload, options_); }

  // The message's route, link directions from src to dst (empty for a message to itself).
  void route(TransferId id, std::vector<topo::DirLinkId>& out) const {
    const auto& r = messages_[id].request;
    topology_.route(r.src, r.dst, out, r.tag);
  }
  // Hop h of `route`: its link's latency, plus the forwarding latency of the switch at its head unless it is the
  // last hop (the receiver adds nothing).
  Time hop_latency(std::span<const topo::DirLinkId> route, std::size_t h) const {
    const Time link = topology_.dir_link_spec(route[h]).latency;
    return h + 1 < route.size() ? link + topology_.forwarding_latency(topology_.dir_link_head(route[h])) : link;
  }
  Time route_latency(std::span<const topo::DirLinkId> route) const {
    Time sum{};
    for (std::size_t h = 0; h < route.size(); ++h) sum += hop_latency(route, h);
    return sum;
  }
  // A link direction carried `wire` bytes, and counts `busy` for them.
  void count_link(topo::DirLinkId d, Bytes wire, Time busy) {
    counters_.link_wire_bytes[static_cast<std::size_t>(d)] += wire;
    counters_.link_busy[static_cast<std::size_t>(d)] += busy;
  }

  // The message's last byte reached its receiver at `now`: returns when the receiver's CPU is done with it.
  Time receive(Time now, TransferId id) {
    Message& m = messages_[id];
    const Time overhead = topology_.node(m.request.dst).recv_overhead;
    Time& cpu = recv_free_[static_cast<std::size_t>(m.request.dst)];
    cpu = std::max(now, cpu) + overhead;
    m.overhead += overhead;
    return cpu;
  }

  // Delivered at `now`: waiting is what the other parts leave; the slot is free again, and the message is handed
  // to ctx (which may start another that takes the slot, so ctx gets copies).
  void deliver(Time now, TransferId id, NetContext& ctx) {
    const Message& m = messages_[id];
    const TransferTiming timing{.started = m.started,
                                .delivered = now,
                                .waiting = (now - m.started) - m.overhead - m.latency - m.serialization,
                                .overhead = m.overhead,
                                .latency = m.latency,
                                .serialization = m.serialization};
    require(timing.waiting >= Time{}, "network model: a message's parts exceed its time");
    counters_.node_payload_received[static_cast<std::size_t>(m.request.dst)] += m.request.payload;
    --in_flight_;
    free_.push_back(id);
    const std::uint64_t tag = m.request.tag;
    ctx.delivered(tag, timing);
  }

  const NetCounters& counters() const { return counters_; }
  // Messages sent but not yet delivered.
  std::size_t in_flight() const { return in_flight_; }

 private:
  const topo::Topology& topology_;
  NetworkOptions options_;
  std::vector<Message> messages_;  // slots, reused through free_
  std::vector<TransferId> free_;
  std::vector<std::vector<Time>> send_free_;  // per node and sending thread: when it may next send
  std::vector<Time> recv_free_;    // per node: when its CPU may next receive
  NetCounters counters_;
  std::size_t in_flight_ = 0;
};

}  // namespace shardsim::net
