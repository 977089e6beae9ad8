#pragma once
// Collective operations as pure data, and their expansion into point-to-point steps. Ranks are 0..ranks-1
// (the caller maps them to nodes). A step may depend on earlier steps (e.g. a ring's next hop); the expansion
// says nothing about time: the network model prices each step.
//
// Payload delivered (design.md §3) is a property of the collective, not of the algorithm: every byte a rank
// holds as the collective's result, its own piece included. It is what the seed notebook calls
// cross_machine_bandwidth.

#include <cstdint>
#include <string_view>
#include <vector>

#include "shardsim/util/units.hpp"

namespace shardsim::collective {

enum class CollectiveKind {
  broadcast,   // the root's message ends on every rank
  gather,      // every rank's piece ends on the root, concatenated in rank order
  all_gather,  // every rank's piece ends on every rank
};

enum class Algorithm {
  direct,  // every message sent straight from its source to its destination, all at once
};

std::string_view to_string(CollectiveKind kind);
std::string_view to_string(Algorithm algorithm);

struct CollectiveSpec {
  CollectiveKind kind = CollectiveKind::broadcast;
  Algorithm algorithm = Algorithm::direct;
  int root = 0;  // broadcast, gather
  // gather and all_gather: pieces[r] is rank r's piece. broadcast: pieces[root] is the message; the other
  // entries are ignored. The number of ranks is pieces.size().
  std::vector<Bytes> pieces;

  int ranks() const { return static_cast<int>(pieces.size()); }
};

struct Step {
  std::int32_t src = 0;
  std::int32_t dst = 0;
  Bytes bytes;
};

// The steps and their dependencies in compressed form: the steps step i waits for are
// deps[dep_begin[i] .. dep_begin[i + 1]), all with smaller indices.
struct Schedule {
  std::vector<Step> steps;
  std::vector<std::uint32_t> dep_begin;  // size steps.size() + 1
  std::vector<std::uint32_t> deps;
};

Schedule expand(const CollectiveSpec& spec);

// Bytes every rank holds as the result, own piece included, summed over ranks.
Bytes payload_delivered(const CollectiveSpec& spec);
// Size of the result on one receiving rank.
Bytes result_bytes(const CollectiveSpec& spec);

}  // namespace shardsim::collective
