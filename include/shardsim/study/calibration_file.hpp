#pragma once
// What `shardsim calibrate` writes: a node-types TOML (the [node_types.NAME] tables users write by hand, read back
// with --calibration), every value preceded by comment lines saying where it came from, and the fields the
// measurements could not determine named in a comment (they keep the preset: the file does not set them).

#include <ostream>
#include <string>
#include <vector>

#include "shardsim/study/node_field.hpp"

namespace shardsim::study {

struct CalibratedField {
  std::string node_type;
  NodeField field;
  double value = 0;                 // base units
  std::vector<std::string> source;  // comment lines: the measurement, how the value follows from it
};

struct KeptPreset {
  std::string node_type;
  std::string field;
  std::string why;
};

// Writes the file: `header` comment lines, then one table per node type (in the order first named) with its
// fields in the order given. Values in six significant digits.
void write_calibration(std::ostream& out, const std::vector<std::string>& header,
                       const std::vector<CalibratedField>& fields, const std::vector<KeptPreset>& kept);

}  // namespace shardsim::study
