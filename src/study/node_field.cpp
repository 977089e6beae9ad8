#include "shardsim/study/node_field.hpp"

#include <cmath>
#include <cstdio>

#include "shardsim/util/error.hpp"

namespace shardsim::study {
namespace {

std::string printed(const char* format, double value, const char* unit) {
  char text[64];
  std::snprintf(text, sizeof text, format, value, unit);
  return text;
}

// `format` ("%.4g %s") with the largest decimal prefix that keeps the number at least 1.
std::string scaled(const char* format, double value, const char* unit) {
  static constexpr std::pair<double, const char*> kPrefixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& [factor, prefix] : kPrefixes) {
    if (std::abs(value) >= factor) return printed(format, value / factor, (std::string(prefix) + unit).c_str());
  }
  return printed(format, value, unit);
}

}  // namespace

std::optional<NodeField> node_field(std::string_view name) {
  if (name == "memory_bandwidth") return NodeField{std::string(name), FieldKind::byte_rate};
  if (name == "flop_rate") return NodeField{std::string(name), FieldKind::flop_rate};
  if (name == "op_overhead" || name == "send_overhead" || name == "recv_overhead") {
    return NodeField{std::string(name), FieldKind::time};
  }
  if (name == "compute_memory_overlap") return NodeField{std::string(name), FieldKind::ratio};
  for (std::string_view table : {"decode_rates.", "prefill_rates."}) {
    if (name.starts_with(table) && hw::parse_number_format(std::string(name.substr(table.size())))) {
      return NodeField{std::string(name), FieldKind::flop_rate};
    }
  }
  return std::nullopt;
}

std::string fittable_fields_text() {
  return "memory_bandwidth, flop_rate, decode_rates.FORMAT, prefill_rates.FORMAT, op_overhead, send_overhead, "
         "recv_overhead, compute_memory_overlap";
}

double field_value(const hw::NodeSpec& node, const NodeField& field) {
  const std::string& n = field.name;
  if (n == "memory_bandwidth") return node.memory_bandwidth.per_second;
  if (n == "flop_rate") return node.flop_rate.per_second;
  if (n == "op_overhead") return node.op_overhead.seconds();
  if (n == "send_overhead") return node.send_overhead.seconds();
  if (n == "recv_overhead") return node.recv_overhead.seconds();
  if (n == "compute_memory_overlap") return node.compute_memory_overlap;
  const bool decode = n.starts_with("decode_rates.");
  const std::string format = n.substr(n.find('.') + 1);
  if (auto f = hw::parse_number_format(format)) return node.rate(*f, !decode).per_second;
  throw InternalError("field_value: not a fittable field '" + n + "'");
}

std::string field_text(const NodeField& field, double value) {
  switch (field.kind) {
    case FieldKind::byte_rate: return printed("\"%.17g %s\"", value, "B/s");
    case FieldKind::flop_rate: return printed("\"%.17g %s\"", value, "FLOP/s");
    case FieldKind::time: return printed("\"%.0f %s\"", std::round(value * 1e12), "ps");
    case FieldKind::ratio: return printed("%.17g%s", value, "");
  }
  throw InternalError("field_text: unknown kind");
}

std::string field_display(const NodeField& field, double value, int digits) {
  const std::string format = "%." + std::to_string(digits) + "g %s";
  const char* f = format.c_str();
  switch (field.kind) {
    case FieldKind::byte_rate: return scaled(f, value, "B/s");
    case FieldKind::flop_rate: return scaled(f, value, "FLOP/s");
    case FieldKind::time:
      if (value >= 1e-3) return printed(f, value * 1e3, "ms");
      if (value >= 1e-6) return printed(f, value * 1e6, "us");
      return printed(f, value * 1e9, "ns");
    case FieldKind::ratio: return printed(("%." + std::to_string(digits) + "g%s").c_str(), value, "");
  }
  throw InternalError("field_display: unknown kind");
}

}  // namespace shardsim::study
