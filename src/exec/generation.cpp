#include "shardsim/exec/generation.hpp"

#include <algorithm>
#include <cmath>

#include "shardsim/exec/executor.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::exec {

Time Generation::decode_total() const {
  Time total;
  for (Time t : decode) total += t;
  return total;
}

Time Generation::decode_quantile(double q) const {
  require(!decode.empty() && q > 0 && q <= 1, "decode_quantile: no decode steps or q outside (0, 1]");
  std::vector<Time> sorted = decode;
  std::sort(sorted.begin(), sorted.end());
  // Nearest rank: the ceil(q n)-th smallest (1-based). ceil in integers of q n avoids 0.95 * 20 = 19.000000004.
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Generation run_generation(const topo::Topology& topology, const net::NetworkOptions& network,
                          const plan::Model& model, const plan::PlanSpec& plan, const workload::RunOptions& run,
                          Trace* trace) {
  // Pass 0 is the prefill; pass k >= 1 the decode step of token k + 1 with prompt + k tokens in the cache.
  auto latency = [&](workload::PassKind kind, std::int64_t context, std::int64_t k) {
    if (trace) trace->run_label = k == 0 ? "prefill" : "token " + std::to_string(k + 1);
    return execute(topology, plan::plan_pass(topology, model, plan, {kind, run.batch, context}, k).graph, network,
                   trace)
        .token_latency;
  };
  Generation g;
  const std::int64_t prompt = run.prompt_tokens;
  g.time_to_first_token = latency(workload::PassKind::prefill, prompt, 0);
  for (std::int64_t k = 1; k < run.generated_tokens - 1; ++k) {
    g.decode.push_back(latency(workload::PassKind::decode, prompt + k, k));
  }
  if (trace) trace->run_label = "token " + std::to_string(run.generated_tokens);
  return g;
}

}  // namespace shardsim::exec
