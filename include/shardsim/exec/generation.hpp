#pragma once
// A whole generation (workload::RunOptions::generates()): the prefill of `prompt_tokens` per sequence, whose latency
// is the time to the first token, then one decode step for each further token as the KV cache grows (step k has
// prompt + k tokens in the cache). Each pass is planned by the scenario's strategy and simulated on an idle cluster,
// one after the other: no continuous batching, no overlap of one request's prefill with another's decode.

#include <vector>

#include "shardsim/exec/trace.hpp"
#include "shardsim/net/network_model.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/util/units.hpp"
#include "shardsim/workload/run_options.hpp"

namespace shardsim::exec {

struct Generation {
  Time time_to_first_token;
  std::vector<Time> decode;  // prompt_tokens + k + 1 tokens in the cache at step k

  Time decode_total() const;
  // The q-quantile of the decode latencies, nearest rank: the smallest latency with at least q of them at or
  // below it (q = 0.5: the median, 0.95: the p95). Requires decode steps.
  Time decode_quantile(double q) const;
};

// Simulates the prefill and the decode steps of tokens 2 .. generated_tokens - 1. The last step is the decode step
// simulated in detail elsewhere: the caller appends its latency to `decode` (it is not run twice). `trace`, when
// given, receives the prefill ("prefill") and each step ("token K") one after another; the caller then records
// the last step into it, so that the trace covers the whole generation.
Generation run_generation(const topo::Topology& topology, const net::NetworkOptions& network,
                          const plan::Model& model, const plan::PlanSpec& plan, const workload::RunOptions& run,
                          Trace* trace = nullptr);

}  // namespace shardsim::exec
