#include "shardsim/net/fifo_network.hpp"

#include <algorithm>

namespace shardsim::net {

std::size_t FifoNetwork::message_bytes_bound(std::size_t route_links) {
  // Its slot with its route, its id on the free list; twice for the vectors' doubling.
  using Path = MessagePath<Hops>;
  return 2 * (sizeof(Path::Message) + route_links * sizeof(topo::DirLinkId) + sizeof(TransferId));
}

FifoNetwork::FifoNetwork(const topo::Topology& topology, NetworkOptions options) : path_(topology, options) {
  link_free_.assign(static_cast<std::size_t>(2 * topology.link_count()), Time{});
}

// Stages of a transfer's events: stage h < route.size() means "at the tail of hop h, ready to cross it";
// stage == route.size() means "arrived at the receiver"; route.size() + 1 means "delivered".
void FifoNetwork::start(Time now, const TransferRequest& request, NetContext& ctx) {
  const auto sent = path_.send(now, request);
  path_.route(sent.id, path_[sent.id].state.route);
  ctx.schedule(sent.at, NetEvent{sent.id, 0});
}

void FifoNetwork::handle(Time now, const NetEvent& event, NetContext& ctx) {
  auto& m = path_[event.transfer];
  const std::vector<topo::DirLinkId>& route = m.state.route;
  const auto hops = static_cast<std::uint32_t>(route.size());
  if (event.stage < hops) {
    const topo::DirLinkId d = route[event.stage];
    const Time begin = std::max(now, link_free_[static_cast<std::size_t>(d)]);
    const Bytes wire = path_.wire_of(m);
    const Time serialize = transfer_time(wire, path_.topology().dir_link_spec(d).bandwidth);
    link_free_[static_cast<std::size_t>(d)] = begin + serialize;
    path_.count_link(d, wire, serialize);
    ctx.link_busy(d, begin, begin + serialize, m.request.tag);
    // A switch forwards only after the whole message has arrived (hop_latency counts its forwarding).
    const Time latency = path_.hop_latency(route, event.stage);
    m.serialization += serialize;
    m.latency += latency;
    ctx.schedule(begin + serialize + latency, NetEvent{event.transfer, event.stage + 1});
    return;
  }
  if (event.stage == hops) {
    ctx.schedule(path_.receive(now, event.transfer), NetEvent{event.transfer, hops + 1});
    return;
  }
  require(event.stage == hops + 1, "FifoNetwork: unknown stage");
  path_.deliver(now, event.transfer, ctx);
}

}  // namespace shardsim::net
