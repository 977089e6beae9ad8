#include "shardsim/net/network_model.hpp"
#include "shardsim/net/message_bytes.hpp"

#include <algorithm>

#include "shardsim/net/fair_network.hpp"
#include "shardsim/net/fifo_network.hpp"

namespace shardsim::net {

Bytes wire_bytes(Bytes payload, const NetworkOptions& options) {
  const std::int64_t mtu = options.mtu.count;
  const std::int64_t frames = std::max<std::int64_t>(1, (payload.count + mtu - 1) / mtu);
  return payload + options.frame_overhead * frames;
}

std::size_t message_bytes_bound(const NetworkOptions& options, std::size_t route_links) {
  switch (options.model) {
    case NetworkModelKind::fifo:
      return FifoNetwork::message_bytes_bound(route_links);
    case NetworkModelKind::fair:
      return FairNetwork::message_bytes_bound(route_links);
  }
  throw InternalError("unknown network model");
}

std::unique_ptr<NetworkModel> make_network_model(const topo::Topology& topology, const NetworkOptions& options) {
  switch (options.model) {
    case NetworkModelKind::fifo:
      return std::make_unique<FifoNetwork>(topology, options);
    case NetworkModelKind::fair:
      return std::make_unique<FairNetwork>(topology, options);
  }
  throw InternalError("unknown network model");
}

}  // namespace shardsim::net
