#include "shardsim/hw/power_spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "shardsim/util/error.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::hw {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The leading number of `text` and what follows it (trimmed); UnitError when there is no number or it is negative.
std::pair<double, std::string_view> number_and_unit(std::string_view text, const char* example) {
  text = trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || !std::isfinite(value)) {
    throw UnitError("expected a number and its unit, e.g. " + std::string(example) + ", got '" +
                    std::string(text) + "'");
  }
  if (value < 0) throw UnitError("must not be negative, got '" + std::string(text) + "'");
  return {value, trim(text.substr(static_cast<std::size_t>(end - text.data())))};
}

}  // namespace

double parse_watts(std::string_view text) {
  const auto [value, unit] = number_and_unit(text, "\"5.2 W\"");
  if (unit == "W") return value;
  if (unit == "kW") return value * 1e3;
  if (unit == "mW") return value * 1e-3;
  throw UnitError("unknown power unit '" + std::string(unit) + "' in '" + std::string(trim(text)) +
                  "'; expected W, kW or mW");
}

Price parse_price(std::string_view text) {
  const auto [value, unit] = number_and_unit(text, "\"80 USD\"");
  const bool letters = !unit.empty() && std::all_of(unit.begin(), unit.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
  if (!letters) {
    throw UnitError("expected a price and its currency, e.g. \"80 USD\", got '" + std::string(trim(text)) + "'");
  }
  return Price{value, std::string(unit)};
}

double energy_joules(const PowerSpec& power, Time busy, Time window) {
  require(power.known(), "energy_joules without idle and busy power");
  const Time b = std::clamp(busy, Time{}, window);
  return b.seconds() * *power.busy_watts + (window - b).seconds() * *power.idle_watts;
}

}  // namespace shardsim::hw
