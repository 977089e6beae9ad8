#pragma once
// What the user asks of a plan: the sharding strategy (a unit of strategy.hpp, by name), how many nodes it uses (the
// topology's first `nodes` compute nodes, in declaration order; rank 0 is the root that holds the input and receives
// the output), the algorithm its collectives use, and each strategy's own choices. Training lays the nodes out as
// data_parallel replicas of stages of tensor_degree nodes: stages = nodes / (data_parallel x tensor_degree).

#include <cstdint>
#include <string>
#include <vector>

#include "shardsim/collective/collective.hpp"
#include "shardsim/hw/number_format.hpp"
#include "shardsim/topo/topology.hpp"
#include "shardsim/util/key_reader.hpp"

namespace shardsim::plan {

// The order in which a pipeline stage runs its micro-batches' forward (F) and backward (B) passes in training.
enum class Schedule {
  gpipe,        // all forwards, then all backwards (Huang et al. 2019): every micro-batch's activations held at once
  one_f_one_b,  // stage s runs S - s - 1 forwards, then alternates one forward, one backward (Narayanan et al. 2019,
                // PipeDream-Flush): at most S - s micro-batches' activations held
};

enum class Routing {
  seeded,  // each token's experts drawn from std::mt19937_64(seed)
  worst,   // each token's experts all on one node other than node 0
};

// What a runtime plan (plan.runtime, strategy.hpp) is told beyond the nodes: the version whose behaviour it models,
// the threads each node runs, the format of the activations it sends, the KV cache it allocates, and how it splits
// layers (llama.cpp's --tensor-split). Zero or empty: the runtime's own default.
struct RuntimeOptions {
  std::string version;        // as the runtime numbers its releases ("0.1.0", "b4747")
  bool version_given = false; // the scenario names it (else it is the runtime's default)
  int threads = 0;            // per node
  hw::NumberFormat buffer = hw::NumberFormat::q8_0;  // what syncs carry (distributed-llama's --buffer-float-type)
  std::int64_t max_seq_len = 0;                      // positions of KV cache allocated
  std::vector<double> split;                         // per node, a share of the layers (llama.cpp --tensor-split)
};

struct PlanSpec {
  std::string strategy = "seed";  // a registered strategy's name (strategy.hpp)
  int nodes = 1;
  collective::Algorithm algorithm = collective::Algorithm::direct;
  bool algorithm_given = false;  // the scenario names it (plan.collective; else it is the default)
  int micro_batches = 1;  // pipeline: micro-batches a pass's batch is cut into
  int tensor_degree = 1;  // nodes per tensor group: a pipeline stage's, or (training) each replica's under `tensor`
  Routing routing = Routing::seeded;  // expert: how tokens choose their experts
  std::uint64_t seed = 1;             // expert: the routing generator's seed
  // Training only (training_plan.hpp). The plan's nodes are data_parallel replicas of the model-parallel layout,
  // replica d on the nodes [d R, (d + 1) R), R = nodes / data_parallel.
  int data_parallel = 1;
  int zero = 0;  // ZeRO stage 0..3 (workload::ZeroStage)
  Schedule schedule = Schedule::one_f_one_b;
  Bytes gradient_bucket{25'000'000};  // gradients all-reduced together; PyTorch DDP's bucket_cap_mb default, 25 MB
  bool overlap_gradients = true;      // a bucket's all-reduce starts as soon as its gradients are complete
  RuntimeOptions runtime;  // runtimes only
  // The nodes the plan runs on, by rank (plan.use, by name; every strategy); empty: the topology's first `nodes`
  // nodes. A plan is built on ranks 0..nodes-1 and placed on these nodes afterwards (place_on_nodes, strategy.hpp).
  std::vector<topo::NodeId> use;
  // Pipeline: layers per stage when they are not balanced (plan.split); empty: balanced (partition.hpp).
  std::vector<std::int64_t> stage_layers;
  // Tensor and expert: per rank, the weight of its share when the split is not even (plan.split; tensor_split.hpp,
  // expert_plan.hpp); empty: even.
  std::vector<double> rank_weights;
  // Whether plan.split made the plan uneven (a split that comes out even on alike nodes is the even plan).
  bool uneven() const { return !stage_layers.empty() || !rank_weights.empty(); }
  // Per rank, the group its hierarchical collectives gather in: the vertex of the switch the node hangs off
  // (attachment_groups). Empty: one group.
  std::vector<int> groups;
};

// plan.use: the nodes the plan runs on, by name, in rank order, each once; empty when absent. An unknown or repeated
// name fails at plan.use.
std::vector<topo::NodeId> read_use(KeyReader& keys, const topo::Topology& topology);
// The nodes a plan may use: the ones plan.use names when it names them, else every node of the topology.
std::int64_t available_nodes(const topo::Topology& topology, const PlanSpec& spec);

// plan.split as one weight per part, part p being the ranks [p k, (p + 1) k) (k = ranks_per_part): "memory" weighs
// a part by the smallest usable RAM of its nodes, "speed" by their smallest memory bandwidth (decode streams every
// weight once, hardware.md §6, so a part's time follows its bytes over its slowest node's bandwidth), "3,1,1" gives
// the weights (as llama.cpp's --tensor-split writes them). "even" (the default): empty. Fails at plan.split.
// `part` names a part in messages ("stage", "node").
std::vector<double> read_split_weights(KeyReader& keys, const topo::Topology& topology, const PlanSpec& spec,
                                       int parts, int ranks_per_part, const std::string& part);

// plan.nodes: the number of nodes the plan uses, `fallback` when absent; it must lie in [1, most], `most` being the
// topology's node count (`available`) or less. `why` says what limits it below the node count (empty when nothing
// does): "must be between 1 and 64 (the topology's compute nodes)".
int read_nodes(KeyReader& keys, std::int64_t fallback, std::int64_t most, std::int64_t available,
               const std::string& why = "");

// The switch each of the topology's first `nodes` nodes is attached to (the far end of its first link, when that is
// a switch; the node itself otherwise), as a group id per rank.
std::vector<int> attachment_groups(const topo::Topology& topology, int nodes);
// The same for the nodes `members` (rank -> node), for a plan that names its nodes (PlanSpec::use).
std::vector<int> attachment_groups(const topo::Topology& topology, const std::vector<topo::NodeId>& members);
// The node playing `rank`: use[rank], or rank itself when the plan does not name its nodes.
inline topo::NodeId node_of_rank(const PlanSpec& spec, int rank) {
  return spec.use.empty() ? rank : spec.use[static_cast<std::size_t>(rank)];
}

}  // namespace shardsim::plan
