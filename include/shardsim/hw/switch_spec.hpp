#pragma once
// A switch: a vertex that forwards frames between its links. It adds `forwarding_latency` to every message
// that crosses it (after the message has arrived, as a store-and-forward switch does). `ports` bounds how many
// links may attach (0: unbounded); `capacity`, when set, is the switching capacity (backplane) shared by all
// traffic crossing it, which the fair network model enforces. `power` and `price`, when given, count towards the
// cluster's (hw/power_spec.hpp).

#include <optional>

#include "shardsim/hw/power_spec.hpp"

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct SwitchSpec {
  Time forwarding_latency;
  int ports = 0;
  std::optional<ByteRate> capacity;
  PowerSpec power{};
  std::optional<Price> price{};
};

}  // namespace shardsim::hw
