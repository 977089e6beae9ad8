#pragma once
// The fields of a node type ([node_types.NAME] in a topology file, hw::NodeSpec) that a calibration can fit, by
// the name a topology file gives them: memory_bandwidth, flop_rate, decode_rates.FORMAT, prefill_rates.FORMAT,
// op_overhead, send_overhead, recv_overhead, compute_memory_overlap. A value is in base units: bytes/s, FLOP/s,
// seconds, or a plain ratio.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shardsim/hw/node_spec.hpp"

namespace shardsim::study {

enum class FieldKind { byte_rate, flop_rate, time, ratio };

struct NodeField {
  std::string name;  // "decode_rates.q4_0"
  FieldKind kind = FieldKind::ratio;
};

// The field named `name`; none for a name that is not a fittable field.
std::optional<NodeField> node_field(std::string_view name);
// Every fittable name, for messages ("decode_rates.FORMAT" stands for one per number format).
std::string fittable_fields_text();

// The value the node uses: a kernel rate that the type leaves unset is its flop_rate (what hw::NodeSpec::rate
// falls back to).
double field_value(const hw::NodeSpec& node, const NodeField& field);
// `value` as a topology file writes it, exactly enough to read back the same double ("4400000000 B/s", "50 us"
// to the picosecond): what a --set override and the written calibration file carry.
std::string field_text(const NodeField& field, double value);
// `value` for people, in `digits` significant digits and a fitting unit ("4.4 GB/s", "52.31 us"); a topology
// file reads it back (quoted, unless a ratio).
std::string field_display(const NodeField& field, double value, int digits = 4);

}  // namespace shardsim::study
