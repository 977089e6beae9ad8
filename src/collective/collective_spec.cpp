#include "shardsim/collective/collective_spec.hpp"

#include <array>

#include "shardsim/util/error.hpp"

namespace shardsim::collective {

std::string_view to_string(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::broadcast: return "broadcast";
    case CollectiveKind::gather: return "gather";
    case CollectiveKind::all_gather: return "all-gather";
    case CollectiveKind::reduce: return "reduce";
    case CollectiveKind::all_reduce: return "all-reduce";
    case CollectiveKind::reduce_scatter: return "reduce-scatter";
    case CollectiveKind::all_to_all: return "all-to-all";
  }
  return "?";
}

namespace {

constexpr std::array<std::pair<std::string_view, CollectiveKind>, 7> kinds{{
    {"broadcast", CollectiveKind::broadcast},
    {"gather", CollectiveKind::gather},
    {"all_gather", CollectiveKind::all_gather},
    {"reduce", CollectiveKind::reduce},
    {"all_reduce", CollectiveKind::all_reduce},
    {"reduce_scatter", CollectiveKind::reduce_scatter},
    {"all_to_all", CollectiveKind::all_to_all},
}};

constexpr std::array<std::pair<std::string_view, Algorithm>, 5> algorithms{{
    {"direct", Algorithm::direct},
    {"ring", Algorithm::ring},
    {"tree", Algorithm::tree},
    {"recursive_doubling", Algorithm::recursive_doubling},
    {"hierarchical", Algorithm::hierarchical},
}};

}  // namespace

std::string_view to_string(Algorithm algorithm) {
  for (const auto& [name, a] : algorithms) {
    if (a == algorithm) return name;
  }
  return "?";
}

std::span<const std::pair<std::string_view, CollectiveKind>> kind_names() { return kinds; }
std::span<const std::pair<std::string_view, Algorithm>> algorithm_names() { return algorithms; }

bool supports(CollectiveKind kind, Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::direct:
    case Algorithm::ring:
      return true;
    case Algorithm::tree:
    case Algorithm::hierarchical:
      return kind != CollectiveKind::all_to_all;
    case Algorithm::recursive_doubling:
      return kind == CollectiveKind::all_gather || kind == CollectiveKind::all_reduce ||
             kind == CollectiveKind::reduce_scatter;
  }
  return false;
}

Bytes part_bytes(Bytes total, int parts, int index) {
  require(parts >= 1 && index >= 0 && index < parts, "part_bytes: part out of range");
  const std::int64_t q = total.count / parts;
  const std::int64_t extra = total.count % parts;
  return Bytes{q + (index < extra ? 1 : 0)};
}

Bytes result_bytes(const CollectiveSpec& spec) {
  if (spec.pieces.empty()) return Bytes{};
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      return spec.pieces.at(static_cast<std::size_t>(spec.root));
    case CollectiveKind::reduce:
    case CollectiveKind::all_reduce:
    case CollectiveKind::reduce_scatter:
      return spec.pieces.front();
    case CollectiveKind::gather:
    case CollectiveKind::all_gather:
    case CollectiveKind::all_to_all:
      break;
  }
  Bytes total{};
  for (Bytes piece : spec.pieces) total += piece;
  return total;
}

Bytes result_bytes(const CollectiveSpec& spec, int rank) {
  require(rank >= 0 && rank < spec.ranks(), "result_bytes: rank out of range");
  switch (spec.kind) {
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      return rank == spec.root ? result_bytes(spec) : Bytes{};
    case CollectiveKind::reduce_scatter:
      return part_bytes(result_bytes(spec), spec.ranks(), rank);
    case CollectiveKind::broadcast:
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
    case CollectiveKind::all_to_all:
      return result_bytes(spec);
  }
  throw InternalError("result_bytes: unknown kind");
}

Bytes payload_delivered(const CollectiveSpec& spec) {
  switch (spec.kind) {
    case CollectiveKind::broadcast:
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
    case CollectiveKind::all_to_all:
      return result_bytes(spec) * spec.ranks();
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
    case CollectiveKind::reduce_scatter:
      return result_bytes(spec);
  }
  throw InternalError("payload_delivered: unknown kind");
}

}  // namespace shardsim::collective
