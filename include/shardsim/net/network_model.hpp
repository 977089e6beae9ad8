#pragma once
// How bytes move between nodes: the extension point between the executor and a network model. There are two
// (`network.model`): fifo (fifo_network.hpp: messages cross each link whole, one at a time per link direction)
// and fair (fair_network.hpp: messages are flows sharing every link direction max-min fairly, the rates from
// maxmin_solver.hpp). What every message pays outside the links, whatever the model (CPU queues and overheads,
// framing, routes and their latency, the counters), is message_path.hpp. A model reacts to transfers started by
// the executor and to its own events, which it schedules through NetContext on the executor's engine, and reports
// each transfer's delivery with a breakdown of where its time went. Times are picoseconds, sizes payload bytes.

#include <cstdint>
#include <memory>
#include <vector>

#include "shardsim/core/engine.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/util/units.hpp"

namespace shardsim::net {

using TransferId = std::uint32_t;

// A network model's own event: which transfer, and which stage of it (model-defined).
struct NetEvent {
  TransferId transfer = 0;
  std::uint32_t stage = 0;
};

struct TransferRequest {
  topo::NodeId src = 0;
  topo::NodeId dst = 0;
  Bytes payload;
  std::uint64_t tag = 0;  // the caller's, handed back on delivery
  std::uint16_t lane = 0;       // the sender's thread that sends it: each sends one message at a time
  std::int32_t send_calls = 1;  // send() calls it takes, each paying the sender's send_overhead
};

// Where a transfer's time went, from the moment it was started to its delivery. The four parts add up to
// delivered - started exactly.
struct TransferTiming {
  Time started;
  Time delivered;
  Time waiting;        // queued behind other messages: sender CPU, a busy link (fifo) or sharing (fair), receiver CPU
  Time overhead;       // per-message software overhead at sender and receiver
  Time latency;        // propagation on links and forwarding in switches
  Time serialization;  // putting wire bytes on links
};

// The executor's side, as a network model sees it.
class NetContext {
 public:
  virtual core::EventId schedule(Time at, NetEvent event) = 0;
  virtual void cancel(core::EventId id) = 0;
  virtual void delivered(std::uint64_t tag, const TransferTiming& timing) = 0;
  // For timelines: the transfer `tag` occupies (fifo: while it is serialized) or flows over (fair: from its flow's
  // begin to its last byte sent; concurrent flows' intervals overlap) link direction `link` from `begin` to `end`.
  // Models call it once per link direction of a route, when they know the interval; the default ignores it.
  virtual void link_busy(topo::DirLinkId /*link*/, Time /*begin*/, Time /*end*/, std::uint64_t /*tag*/) {}

 protected:
  ~NetContext() = default;
};

// Framing and model choice, from the scenario's [network] table.
enum class NetworkModelKind {
  fifo,  // store-and-forward, one message at a time per link direction (fifo_network.hpp)
  fair,  // flows share every link direction max-min fairly (fair_network.hpp)
};

struct NetworkOptions {
  NetworkModelKind model = NetworkModelKind::fifo;
  // Payload bytes per frame: a 1500-byte IP MTU less 20 bytes of IPv4 and 32 of TCP header with timestamps.
  Bytes mtu{1448};
  // Bytes on the wire per frame beyond its payload: IPv4 20 + TCP 32 + Ethernet header 14 + FCS 4 + preamble 8
  // + inter-frame gap 12 = 90. A 1 Gbit/s link then carries 1448/1538 = 941 Mbit/s of payload, the iperf3
  // figure measured on Pi 4 and Pi 5 (../shared/reference/hardware.md §3: 938-941 Mbps).
  Bytes frame_overhead{90};
};

// Wire bytes of a message of `payload` bytes: payload plus one frame overhead per started frame (an empty
// message still sends one frame).
Bytes wire_bytes(Bytes payload, const NetworkOptions& options);

// Traffic counted by a model; per node indexed by NodeId, per link direction by DirLinkId.
struct NetCounters {
  std::vector<Bytes> node_payload_sent;
  std::vector<Bytes> node_payload_received;
  std::vector<Bytes> link_wire_bytes;
  std::vector<Time> link_busy;  // per link direction, the sum of wire bytes / bandwidth over the messages it carried
  std::uint64_t transfers = 0;
};

class NetworkModel {
 public:
  virtual ~NetworkModel() = default;
  // Starts a transfer at `now` (the engine's current time).
  virtual void start(Time now, const TransferRequest& request, NetContext& ctx) = 0;
  // Handles an event this model scheduled, at its time `now`.
  virtual void handle(Time now, const NetEvent& event, NetContext& ctx) = 0;
  virtual const NetCounters& counters() const = 0;
  // Transfers started but not yet delivered.
  virtual std::size_t in_flight() const = 0;
};

std::unique_ptr<NetworkModel> make_network_model(const topo::Topology& topology, const NetworkOptions& options);

}  // namespace shardsim::net
