#include <cmath>
#include <set>

#include "shardsim/collective/schedule_size.hpp"

namespace shardsim::collective {
namespace {

bool rooted(CollectiveKind kind) {
  return kind == CollectiveKind::broadcast || kind == CollectiveKind::gather || kind == CollectiveKind::reduce;
}

}  // namespace

ScheduleSize size_bound(const CollectiveSpec& spec) {
  double g = 1;
  if (spec.algorithm == Algorithm::hierarchical && !spec.groups.empty()) {
    g = static_cast<double>(std::set<int>(spec.groups.begin(), spec.groups.end()).size());
  }
  return size_bound(spec.kind, spec.algorithm, spec.ranks(), g);
}

ScheduleSize size_bound(CollectiveKind kind, Algorithm algorithm, double p, double g) {
  double k = 0;  // ceil(log2 p)
  while (std::ldexp(1.0, static_cast<int>(k)) < p) ++k;
  ScheduleSize size;
  switch (algorithm) {
    case Algorithm::direct:
      size.steps = rooted(kind) ? p - 1 : p * (p - 1);
      size.deps = 0;
      break;
    case Algorithm::ring:
      size.steps = 2 * p * (p - 1);
      size.deps = size.steps;
      break;
    case Algorithm::tree:
      size.steps = 2 * (p - 1);
      size.deps = size.steps * (k + 1);
      break;
    case Algorithm::recursive_doubling:
      size.steps = p * (k + 2);
      size.deps = size.steps * (k + 2);
      break;
    case Algorithm::hierarchical:
      size.steps = rooted(kind) ? 2 * (p - 1) : 2 * (p - 1) + 2 * g * (g - 1);
      size.deps = p * p + size.steps * (k + 2);
      break;
  }
  size.sets = 2 * size.steps + p + 2;
  size.ranges = algorithm == Algorithm::hierarchical ? size.sets * (std::ceil(p / 2) + 1) : 2 * size.sets + 2 * p;
  return size;
}

}  // namespace shardsim::collective
