#pragma once
// A sweep axis: one key and the values it takes, each written as an override value ("64", "\"10 Gbit/s\"").
// From a scenario's [sweep] table (`plan.nodes = [4, 8, 16]`, `"topology.star.0.bandwidth" = ["1 Gbit/s",
// "10 Gbit/s"]`, `run.batch = "1..64*2"`) or from `--sweep key=v1,v2,...` on the command line. A range
// "a..b*k" is geometric (a, a*k, ... up to b), "a..b+k" arithmetic, and "a..b" steps by 1.

#include <string>
#include <vector>

#include "shardsim/util/error.hpp"

namespace shardsim::scenario {

struct SweepAxis {
  std::string key;                  // dotted, as for --set
  std::vector<std::string> values;  // override value texts, in order
  SourcePos declared_at;
};

// Expands "a..b*k", "a..b+k" or "a..b" into value texts; throws InputError at `where` when the text has ".." but
// is not a valid range. Returns an empty vector when `text` contains no "..".
std::vector<std::string> expand_range(const std::string& text, const SourcePos& where);

// Parses a command-line axis "key=v1,v2,..." or "key=a..b*k".
SweepAxis parse_sweep_argument(const std::string& arg);

}  // namespace shardsim::scenario
