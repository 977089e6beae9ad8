#pragma once
// A switch: a vertex that forwards frames between its links. It adds `forwarding_latency` to every message
// that crosses it (after the message has arrived, as a store-and-forward switch does).

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct SwitchSpec {
  Time forwarding_latency;
};

}  // namespace shardsim::hw
