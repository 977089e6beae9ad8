#pragma once
// What a node or a switch draws and costs. Power is in watts: `idle` while it waits (for the network, for its
// peers), `busy` while its cores compute. Between the two nothing is modelled: a node's energy over a window is
// busy time x busy power + the rest of the window x idle power, which is how a board measured at idle and under
// an all-core load (hardware.md's sources give both) is best used without a per-core power curve. Price is the
// purchase price of one unit in a currency the user names ("80 USD"); prices in different currencies never add.

#include <optional>
#include <string>
#include <string_view>

#include "shardsim/util/units.hpp"

namespace shardsim::hw {

struct PowerSpec {
  std::optional<double> idle_watts;
  std::optional<double> busy_watts;

  bool known() const { return idle_watts.has_value() && busy_watts.has_value(); }
};

struct Price {
  double amount = 0;
  std::string currency;  // letters, as the user wrote them: "USD", "EUR"
};

// "5 W", "2.5 W", "0.8 kW", "600 mW" -> watts (not negative). Throws UnitError (util/unit_parse.hpp) otherwise.
double parse_watts(std::string_view text);
// "80 USD", "119.5 EUR" -> the amount (not negative) and the currency. Throws UnitError otherwise.
Price parse_price(std::string_view text);

// Joules a device with `power` uses over `window` when busy for `busy` of it (clamped to the window: ops that
// overlap on one node do not draw twice). `power` must be known().
double energy_joules(const PowerSpec& power, Time busy, Time window);

}  // namespace shardsim::hw
