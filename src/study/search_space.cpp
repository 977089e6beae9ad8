// The candidates of a search (search.hpp): every strategy and runtime, node count, tensor degree, micro-batch
// count, collective algorithm and runtime version, as [plan] tables for the strategies' own read() to judge.

#include <algorithm>
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

// Which nodes a candidate runs on: the topology's first `nodes` (use empty), or the nodes `use` names, by rank.
struct NodeChoice {
  int nodes = 0;
  std::string use_toml;  // `use = ["desk", "p5a"]\n`, or empty
  std::string label;     // " use=1xdesktop-ddr5+1xpi5-16gb", or empty
};

// On nodes all of one type, the first N for every N. On mixed nodes, how many of each type (every count from none
// to all of them, not every subset: nodes of one type differ only by their links), the types ordered fastest first
// (memory bandwidth, what a decode step streams its weights at; ties in declaration order) so that rank 0, which
// holds the embedding and gathers the logits, is a fastest node, and within a type the nodes with the fastest link
// first (declaration order among equals).
std::vector<NodeChoice> node_choices(const topo::Topology& t) {
  struct Type {
    std::string name;
    double bandwidth = 0;
    std::vector<topo::NodeId> nodes;
  };
  std::vector<Type> types;
  for (topo::NodeId n = 0; n < t.node_count(); ++n) {
    const hw::NodeSpec& node = t.node(n);
    auto it = std::find_if(types.begin(), types.end(), [&](const Type& x) { return x.name == node.type; });
    if (it == types.end()) it = types.insert(types.end(), Type{node.type, node.memory_bandwidth.per_second, {}});
    it->nodes.push_back(n);
  }
  std::vector<NodeChoice> out;
  if (types.size() <= 1) {
    for (int n = 1; n <= t.node_count(); ++n) out.push_back(NodeChoice{n, "", ""});
    return out;
  }
  // Within a type, the nodes with the fastest link first (they differ in nothing else), then in declaration order.
  std::vector<double> link_rate(static_cast<std::size_t>(t.node_count()), 0.0);
  for (topo::LinkId l = 0; l < t.link_count(); ++l) {
    for (const topo::VertexId v : {t.link(l).a, t.link(l).b}) {
      for (topo::NodeId n = 0; n < t.node_count(); ++n) {
        if (t.node_vertex(n) == v) {
          link_rate[static_cast<std::size_t>(n)] =
              std::max(link_rate[static_cast<std::size_t>(n)], t.link(l).spec.bandwidth.per_second);
        }
      }
    }
  }
  for (Type& type : types) {
    std::stable_sort(type.nodes.begin(), type.nodes.end(), [&](topo::NodeId a, topo::NodeId b) {
      return link_rate[static_cast<std::size_t>(a)] > link_rate[static_cast<std::size_t>(b)];
    });
  }
  std::stable_sort(types.begin(), types.end(), [](const Type& a, const Type& b) { return a.bandwidth > b.bandwidth; });
  // Counts per type as a mixed-radix number, the first type's count varying slowest; all-zero left out.
  std::vector<std::size_t> count(types.size(), 0);
  for (;;) {
    std::size_t k = types.size();
    while (k > 0 && count[k - 1] == types[k - 1].nodes.size()) count[--k] = 0;
    if (k == 0) break;
    ++count[k - 1];
    NodeChoice c;
    std::string names;
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (count[i] == 0) continue;
      c.nodes += static_cast<int>(count[i]);
      c.label += std::string(c.label.empty() ? " use=" : "+") + std::to_string(count[i]) + "x" + types[i].name;
      for (std::size_t j = 0; j < count[i]; ++j) {
        names += std::string(names.empty() ? "" : ", ") + "\"" + t.node_name(types[i].nodes[j]) + "\"";
      }
    }
    c.use_toml = "use = [" + names + "]\n";
    out.push_back(std::move(c));
  }
  // Fewer nodes first, as on alike nodes; a stable order for equal counts.
  std::stable_sort(out.begin(), out.end(), [](const NodeChoice& a, const NodeChoice& b) { return a.nodes < b.nodes; });
  return out;
}

}  // namespace

std::vector<Candidate> enumerate_candidates(const scenario::Scenario& s) {
  std::vector<Candidate> out;
  const std::vector<NodeChoice> choices = node_choices(s.topology);
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
    for (const NodeChoice& choice : choices) {
      const int nodes = choice.nodes;
      const std::vector<int> tensor = degrees ? divisors(nodes, nodes) : std::vector<int>{0};
      for (const int degree : tensor) {
        for (const int mb : batch_splits) {
          for (const std::string& algorithm : collectives) {
            for (const std::string& version : versions) {
             for (const std::string& split : splits) {
              Candidate c;
              c.plan_toml = head + "nodes = " + std::to_string(nodes) + "\n" + choice.use_toml;
              c.label = name + " nodes=" + std::to_string(nodes) + choice.label;
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
