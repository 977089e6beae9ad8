#pragma once
// Node-type fields from the tools users run on one board or between two (bench_files.hpp reads their output):
//
// - llama-bench: each test is simulated by shardsim on one node of the type, with the model the file names
//   (matched to a transformer preset by its parameter count, or given by --transformer keys): a text-generation
//   test (tg N at depth D) as the decode step at context D + N/2 (a step's time grows linearly with its context, so
//   the middle step has the mean time), measured 1 / avg_ts; a prompt-processing test (pp N) as the prefill of N
//   tokens, measured N / avg_ts. memory_bandwidth is fitted to the tg tests and prefill_rates.FORMAT to the pp
//   tests (measured_fit.hpp), the decode kernel rate and everything else kept from the preset.
// - iperf3: the TCP goodput G of a link of nominal bandwidth L. shardsim puts a stream into frames of `mtu` payload
//   bytes, each with `frame_overhead` more bytes on the wire, so G = L mtu / (mtu + frame_overhead), and
//   frame_overhead = mtu (L / G - 1). That is a [network] setting, not a node type's, so it is reported, not fitted.
// - ping: the round trip of a small message is two one-way trips, each paying the sender's network stack, the
//   wire, and the receiver's stack: rtt = 2 (send_overhead + wire + recv_overhead). The wire part is known from
//   the link (the echo frame serialized on each hop, the links' latency, the switches' forwarding); the rest is the
//   two stacks, which a ping cannot tell apart: it is split evenly between send_overhead and recv_overhead.

#include <optional>
#include <string>
#include <vector>

#include "shardsim/study/bench_files.hpp"
#include "shardsim/study/calibration_file.hpp"
#include "shardsim/study/measured_fit.hpp"

namespace shardsim::study {

// Where the boards' node type comes from and what a one-node run needs.
struct BenchContext {
  std::string node_types_file;              // a topology file defining the type (e.g. topologies/pi-nodes.toml)
  std::string node_type;                    // the type the measurements were taken on
  std::vector<std::string> transformer;     // "key=value" keys of [transformer] (instead of the file's model)
  unsigned jobs = 1;
};

struct LlamaBenchFit {
  FitResult fit;
  std::string model;                    // the preset matched, or "--transformer"
  std::vector<CalibratedField> fields;  // with their source comments
};
// InputError at the test for a model shardsim does not know, a weight type it has no format for, or a file
// with several models.
LlamaBenchFit fit_llama_bench(const std::string& path, const BenchContext& context);

// The link the measurement crossed: nominal bandwidth, hops between the two nodes (2 through one switch),
// each link's latency, each switch's forwarding latency; and the framing of the [network] table.
struct LinkContext {
  double bandwidth = 1e9 / 8;  // bytes/s
  int hops = 2;
  double link_latency = 0.5e-6;
  double forwarding_latency = 2e-6;
  double mtu = 1448;           // payload bytes per frame (net::NetworkOptions)
};

struct Iperf3Fit {
  double goodput = 0;         // bytes/s
  double efficiency = 0;      // goodput / bandwidth
  double frame_overhead = 0;  // bytes per frame
};
Iperf3Fit fit_iperf3(const Iperf3Result& result, const LinkContext& link);

struct PingFit {
  double wire = 0;            // one way, seconds: serialization on every hop, link latencies, forwarding
  double per_message = 0;     // one way, the two stacks together
  double send_overhead = 0;   // half of it
  double recv_overhead = 0;
};
// InputError at the rtt line when the round trip is shorter than the wire alone.
PingFit fit_ping(const PingResult& result, const LinkContext& link);

}  // namespace shardsim::study
