#include "shardsim/net/fifo_network.hpp"

#include <algorithm>

#include "shardsim/util/slot_pool.hpp"

namespace shardsim::net {

FifoNetwork::FifoNetwork(const topo::Topology& topology, NetworkOptions options)
    : topology_(topology), options_(options) {
  require(topology.sealed(), "FifoNetwork needs a sealed topology");
  require(options.mtu.count > 0, "mtu must be positive");
  const auto nodes = static_cast<std::size_t>(topology.node_count());
  const auto dir_links = static_cast<std::size_t>(2 * topology.link_count());
  link_free_.assign(dir_links, Time{});
  send_free_.assign(nodes, Time{});
  recv_free_.assign(nodes, Time{});
  counters_.node_payload_sent.assign(nodes, Bytes{});
  counters_.node_payload_received.assign(nodes, Bytes{});
  counters_.link_wire_bytes.assign(dir_links, Bytes{});
  counters_.link_busy.assign(dir_links, Time{});
}

// Stages of a transfer's events: stage h < route.size() means "at the tail of hop h, ready to cross it";
// stage == route.size() means "arrived at the receiver"; route.size() + 1 means "delivered".
void FifoNetwork::start(Time now, const TransferRequest& request, NetContext& ctx) {
  const TransferId id = acquire_slot(transfers_, free_);
  Transfer& t = transfers_[id];
  t.request = request;
  t.wire = wire_bytes(request.payload, options_);
  topology_.route(request.src, request.dst, t.route, request.tag);
  t.timing = TransferTiming{.started = now, .delivered = {}, .waiting = {}, .overhead = {}, .latency = {},
                            .serialization = {}};
  ++in_flight_;
  ++counters_.transfers;
  counters_.node_payload_sent[request.src] += request.payload;

  // The sender's CPU handles one message at a time.
  const hw::NodeSpec& sender = topology_.node(request.src);
  const Time begin = std::max(now, send_free_[request.src]);
  send_free_[request.src] = begin + sender.send_overhead;
  t.timing.waiting += begin - now;
  t.timing.overhead += sender.send_overhead;
  ctx.schedule(send_free_[request.src], NetEvent{id, 0});
}

void FifoNetwork::handle(Time now, const NetEvent& event, NetContext& ctx) {
  Transfer& t = transfers_[event.transfer];
  const auto hops = static_cast<std::uint32_t>(t.route.size());
  if (event.stage < hops) {
    const topo::DirLinkId d = t.route[event.stage];
    const hw::LinkSpec& link = topology_.dir_link_spec(d);
    const Time begin = std::max(now, link_free_[d]);
    const Time serialize = transfer_time(t.wire, link.bandwidth);
    link_free_[d] = begin + serialize;
    counters_.link_wire_bytes[d] += t.wire;
    counters_.link_busy[d] += serialize;
    ctx.link_busy(d, begin, begin + serialize, t.request.tag);
    // A switch forwards only after the whole message has arrived; the receiver adds nothing here.
    const Time forward = event.stage + 1 < hops ? topology_.forwarding_latency(topology_.dir_link_head(d)) : Time{};
    t.timing.waiting += begin - now;
    t.timing.serialization += serialize;
    t.timing.latency += link.latency + forward;
    ctx.schedule(begin + serialize + link.latency + forward, NetEvent{event.transfer, event.stage + 1});
    return;
  }
  if (event.stage == hops) {
    const topo::NodeId dst = t.request.dst;
    const hw::NodeSpec& receiver = topology_.node(dst);
    const Time begin = std::max(now, recv_free_[dst]);
    recv_free_[dst] = begin + receiver.recv_overhead;
    t.timing.waiting += begin - now;
    t.timing.overhead += receiver.recv_overhead;
    ctx.schedule(recv_free_[dst], NetEvent{event.transfer, hops + 1});
    return;
  }
  require(event.stage == hops + 1, "FifoNetwork: unknown stage");
  t.timing.delivered = now;
  counters_.node_payload_received[t.request.dst] += t.request.payload;
  --in_flight_;
  free_.push_back(event.transfer);
  // The slot may be reused by a transfer that delivered() starts, so hand over copies.
  const TransferTiming timing = t.timing;
  const std::uint64_t tag = t.request.tag;
  ctx.delivered(tag, timing);
}

}  // namespace shardsim::net
