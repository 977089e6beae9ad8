#include "shardsim/scenario/plan_candidate.hpp"

#include <sstream>

#include "sections.hpp"
#include "shardsim/scenario/toml_file.hpp"

namespace shardsim::scenario {
namespace {

toml::table parse_plan(const std::string& plan_toml) {
  try {
    return toml::parse(plan_toml, std::string_view{"<candidate>"});
  } catch (const toml::parse_error& e) {
    throw InputError(SourcePos{"<candidate>", 0, 0}, std::string("not a [plan] table: ") + std::string(e.description()));
  }
}

}  // namespace

plan::PlanSpec read_candidate_plan(const Scenario& scenario, const std::string& plan_toml) {
  const toml::table table = parse_plan(plan_toml);
  TomlReader p(table, "<candidate>", "plan");
  return read_plan_spec(p, scenario);
}

std::string scenario_with_plan(const std::string& path, const std::vector<std::string>& overrides,
                               const std::string& plan_toml, const std::string& topology_ref) {
  toml::table table = parse_toml_file(path, SourcePos{path, 0, 0});
  std::string topology_notes;
  for (const std::string& arg : overrides) {
    Override o = parse_override(arg);
    if (o.path.size() > 1 && o.path[0].str() == "topology") {
      topology_notes += "# and --set " + arg + " (to the topology file)\n";
    } else {
      apply_override(table, o, 0);
    }
  }
  table.erase("plan");
  table.erase("expect");
  table.erase("sweep");
  table.insert_or_assign("topology", topology_ref);
  table.insert_or_assign("plan", parse_plan(plan_toml));
  std::ostringstream out;
  out << "# Written by `shardsim search " << path << "`: its scenario with the best plan found.\n" << topology_notes;
  out << toml::toml_formatter{table} << "\n";
  return out.str();
}

}  // namespace shardsim::scenario
