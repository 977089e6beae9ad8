// The candidates of a search (search.hpp): every strategy and runtime, node count, tensor degree, micro-batch
// count, collective algorithm and runtime version, as [plan] tables for the strategies' own read() to judge.

#include <string>
#include <vector>

#include "shardsim/collective/collective_spec.hpp"
#include "shardsim/plan/strategy.hpp"
#include "shardsim/scenario/plan_candidate.hpp"
#include "shardsim/study/search.hpp"

namespace shardsim::study {
namespace {

std::vector<int> divisors(std::int64_t n, std::int64_t most) {
  std::vector<int> out;
  for (std::int64_t d = 1; d <= n && d <= most; ++d) {
    if (n % d == 0) out.push_back(static_cast<int>(d));
  }
  return out;
}

// Whether the strategy reads `key` at all: it is asked to read a plan with the key at 1, and a strategy that does
// not read a key refuses it (as unknown, or as another strategy's) at that key. Any other refusal says nothing
// about the key, so the key is kept and the candidates are judged one by one.
bool reads_key(const scenario::Scenario& s, const std::string& head, const std::string& key) {
  try {
    scenario::read_candidate_plan(s, head + "nodes = 1\n" + key + " = 1\n");
    return true;
  } catch (const InputError& e) {
    return e.message().find("plan." + key) == std::string::npos;
  }
}

}  // namespace

std::vector<Candidate> enumerate_candidates(const scenario::Scenario& s) {
  std::vector<Candidate> out;
  const int available = s.topology.node_count();
  for (const plan::Strategy* strategy : plan::strategies()) {
    const std::string name(strategy->name());
    const std::string head = std::string(strategy->is_runtime() ? "runtime" : "strategy") + " = \"" + name + "\"\n";
    const bool degrees = reads_key(s, head, "tensor_degree");
    const bool micro = reads_key(s, head, "micro_batches");
    std::vector<std::string> splits{""};
    try {  // a strategy that reads plan.split refuses it at that key if it does not
      scenario::read_candidate_plan(s, head + "nodes = 1\nsplit = \"even\"\n");
      splits = {"", "memory", "speed"};
    } catch (const InputError& e) {
      if (e.message().find("plan.split") == std::string::npos) splits = {"", "memory", "speed"};
    }
    std::vector<std::string> collectives{""};
    if (strategy->has_collectives()) {
      collectives.clear();
      for (const auto& [algorithm, kind] : collective::algorithm_names()) collectives.emplace_back(algorithm);
    }
    std::vector<std::string> versions = strategy->versions();
    if (versions.empty()) versions.emplace_back();
    const std::vector<int> batch_splits = micro ? divisors(s.run.batch, 4096) : std::vector<int>{0};
    for (int nodes = 1; nodes <= available; ++nodes) {
      const std::vector<int> tensor = degrees ? divisors(nodes, nodes) : std::vector<int>{0};
      for (const int degree : tensor) {
        for (const int mb : batch_splits) {
          for (const std::string& algorithm : collectives) {
            for (const std::string& version : versions) {
             for (const std::string& split : splits) {
              Candidate c;
              c.plan_toml = head + "nodes = " + std::to_string(nodes) + "\n";
              c.label = name + " nodes=" + std::to_string(nodes);
              if (degree > 0) {
                c.plan_toml += "tensor_degree = " + std::to_string(degree) + "\n";
                c.label += " tensor_degree=" + std::to_string(degree);
              }
              if (mb > 0) {
                c.plan_toml += "micro_batches = " + std::to_string(mb) + "\n";
                c.label += " micro_batches=" + std::to_string(mb);
              }
              if (!algorithm.empty()) {
                c.plan_toml += "collective = \"" + algorithm + "\"\n";
                c.label += " collective=" + algorithm;
              }
              if (!version.empty()) {
                c.plan_toml += "runtime_version = \"" + version + "\"\n";
                c.label += " version=" + version;
              }
              if (!split.empty()) {
                c.plan_toml += "split = \"" + split + "\"\n";
                c.label += " split=" + split;
                c.uneven = true;
              }
              out.push_back(std::move(c));
             }
            }
          }
        }
      }
    }
  }
  return out;
}

}  // namespace shardsim::study
