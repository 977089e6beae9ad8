#pragma once
// An upper bound of the bytes the model `options` names keeps for one message in flight over a route of
// `route_links` link directions (its slot, its route, its flow, a rate class of its own and their entries on every
// resource, each counted twice for a vector's doubling), for a run's memory estimate; the model's fixed state per
// node and link is apart (a few vectors of Time and Bytes).

#include <cstddef>

#include "shardsim/net/network_model.hpp"

namespace shardsim::net {

std::size_t message_bytes_bound(const NetworkOptions& options, std::size_t route_links);

}  // namespace shardsim::net
