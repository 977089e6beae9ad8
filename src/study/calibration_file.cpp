#include "shardsim/study/calibration_file.hpp"

#include <algorithm>

namespace shardsim::study {

void write_calibration(std::ostream& out, const std::vector<std::string>& header,
                       const std::vector<CalibratedField>& fields, const std::vector<KeptPreset>& kept) {
  for (const std::string& line : header) out << "# " << line << "\n";
  std::vector<std::string> types;
  for (const CalibratedField& f : fields) {
    if (std::find(types.begin(), types.end(), f.node_type) == types.end()) types.push_back(f.node_type);
  }
  for (const KeptPreset& k : kept) {
    if (std::find(types.begin(), types.end(), k.node_type) == types.end()) types.push_back(k.node_type);
  }
  for (const std::string& type : types) {
    out << "\n[node_types." << type << "]\n";
    for (const CalibratedField& f : fields) {
      if (f.node_type != type) continue;
      for (const std::string& line : f.source) out << "# " << line << "\n";
      const std::string value = field_display(f.field, f.value, 6);
      const bool quoted = f.field.kind != FieldKind::ratio;
      // A kernel rate is a field of its table: decode_rates.q4_0 = ... is TOML's dotted key for it.
      out << f.field.name << " = " << (quoted ? "\"" + value + "\"" : value) << "\n";
    }
    for (const KeptPreset& k : kept) {
      if (k.node_type == type) out << "# " << k.field << " not set here (the preset stays): " << k.why << "\n";
    }
  }
}

}  // namespace shardsim::study
