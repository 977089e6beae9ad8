#pragma once
// The keys a node type and a switch share for power and money: power_idle, power_busy ("5.2 W") and price
// ("80 USD"). Private to the topology reader.

#include <optional>

#include "shardsim/hw/power_spec.hpp"
#include "shardsim/scenario/toml_reader.hpp"

namespace shardsim::scenario {

// Reads the keys present; power_idle and power_busy come together, and busy is at least idle.
void read_power_keys(TomlReader& r, hw::PowerSpec& power, std::optional<hw::Price>& price);

}  // namespace shardsim::scenario
