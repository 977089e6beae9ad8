#include "shardsim/collective/collective.hpp"

#include "shardsim/util/error.hpp"

namespace shardsim::collective {

std::string_view to_string(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::broadcast: return "broadcast";
    case CollectiveKind::gather: return "gather";
    case CollectiveKind::all_gather: return "all-gather";
  }
  return "?";
}

std::string_view to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::direct: return "direct";
  }
  return "?";
}

Bytes result_bytes(const CollectiveSpec& spec) {
  if (spec.kind == CollectiveKind::broadcast) return spec.pieces.at(static_cast<std::size_t>(spec.root));
  Bytes total{};
  for (Bytes piece : spec.pieces) total += piece;
  return total;
}

Bytes payload_delivered(const CollectiveSpec& spec) {
  switch (spec.kind) {
    case CollectiveKind::broadcast:
    case CollectiveKind::all_gather:
      return result_bytes(spec) * spec.ranks();
    case CollectiveKind::gather:
      return result_bytes(spec);
  }
  throw InternalError("payload_delivered: unknown kind");
}

namespace {

// Direct: one message per (source, destination) pair that needs data, no dependencies. Messages are listed
// source-major so that each sender's queue is served in rank order (destination src+1, src+2, ... wrapping),
// which spreads the all-gather's first messages over all receivers instead of flooding rank 0.
Schedule expand_direct(const CollectiveSpec& spec) {
  Schedule s;
  const int p = spec.ranks();
  auto add = [&](int src, int dst, Bytes bytes) { s.steps.push_back(Step{src, dst, bytes}); };
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      for (int k = 1; k < p; ++k) add(spec.root, (spec.root + k) % p, spec.pieces[static_cast<std::size_t>(spec.root)]);
      break;
    case CollectiveKind::gather:
      for (int k = 1; k < p; ++k) {
        int src = (spec.root + k) % p;
        add(src, spec.root, spec.pieces[static_cast<std::size_t>(src)]);
      }
      break;
    case CollectiveKind::all_gather:
      s.steps.reserve(static_cast<std::size_t>(p) * static_cast<std::size_t>(p - 1));
      for (int src = 0; src < p; ++src) {
        for (int k = 1; k < p; ++k) add(src, (src + k) % p, spec.pieces[static_cast<std::size_t>(src)]);
      }
      break;
  }
  s.dep_begin.assign(s.steps.size() + 1, 0);
  return s;
}

}  // namespace

Schedule expand(const CollectiveSpec& spec) {
  require(spec.ranks() >= 1, "collective with no ranks");
  require(spec.root >= 0 && spec.root < spec.ranks(), "collective root out of range");
  switch (spec.algorithm) {
    case Algorithm::direct:
      return expand_direct(spec);
  }
  throw InternalError("expand: unknown algorithm");
}

}  // namespace shardsim::collective
