#include "power_keys.hpp"

#include "shardsim/util/unit_parse.hpp"

namespace shardsim::scenario {
namespace {

// The string at `key` parsed by `parse`, a UnitError reported at the key.
template <class Parse>
auto parsed(TomlReader& r, std::string_view key, Parse parse) -> std::optional<decltype(parse(""))> {
  const toml::node* n = r.node(key);
  if (!n) return std::nullopt;
  const auto text = n->value_exact<std::string>();
  if (!text) r.fail(key, "expected a string with its unit, e.g. \"5 W\" or \"80 USD\"");
  try {
    return parse(*text);
  } catch (const UnitError& e) {
    r.fail(key, e.what());
  }
}

}  // namespace

void read_power_keys(TomlReader& r, hw::PowerSpec& power, std::optional<hw::Price>& price) {
  power.idle_watts = parsed(r, "power_idle", hw::parse_watts);
  power.busy_watts = parsed(r, "power_busy", hw::parse_watts);
  // Reported at the key given, where the user looks.
  if (power.idle_watts && !power.busy_watts) r.fail("power_idle", "give power_busy with it");
  if (power.busy_watts && !power.idle_watts) r.fail("power_busy", "give power_idle with it");
  if (power.known() && *power.busy_watts < *power.idle_watts) {
    r.fail("power_busy", "must be at least power_idle");
  }
  price = parsed(r, "price", hw::parse_price);
}

}  // namespace shardsim::scenario
