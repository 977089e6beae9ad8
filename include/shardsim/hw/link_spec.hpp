#pragma once
// A full-duplex link between two vertices (nodes or switches): each direction carries `bandwidth` bytes/s
// independently, and a bit takes `latency` to propagate from one end to the other.

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct LinkSpec {
  ByteRate bandwidth;  // per direction
  Time latency;        // propagation (and PHY) delay, one way
};

}  // namespace shardsim::hw
