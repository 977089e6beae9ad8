#include "shardsim/app/commands.hpp"

#include <algorithm>
#include <cstdio>

#include "shardsim/app/command_options.hpp"
#include "shardsim/report/explain.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::app {

int explain_command(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions options(R"(shardsim explain SCENARIO [--set key=value]...

Prints the closed-form estimate of a token op by op (parameters per node, each op's lower bound and its
terms: compute and memory time, messages, busiest link and CPU, dependency chains), then the block's
estimate beside the simulated time, so the difference shows what queueing and contention cost.
example: shardsim explain scenarios/gpt4-1024-pi4-tree-1g.toml

options)");
  options.input("scenario", "scenario file").set("override a key (repeatable)");
  if (!options.parse(args, out)) return 0;

  const scenario::Scenario s = scenario::load(options.text("scenario"), options.sets());
  const plan::PlannedWorkload planned = study::plan_scenario(s);
  const std::vector<report::BlockEstimate> estimates = report::estimate(s.topology, planned.graph, s.network);
  const report::Result result = study::run_scenario(s);

  std::int64_t params = 0;
  Bytes resident;
  for (const plan::RankFootprint& f : planned.footprint) {
    params = std::max(params, f.params);
    resident = std::max(resident, f.total());
  }
  char line[1024];
  out << "scenario " << s.path << "\n";
  std::snprintf(line, sizeof line, "parameters per node: %lld (%s resident of %s RAM)\n\n", static_cast<long long>(params),
                format_bytes(resident).c_str(), format_bytes(s.topology.node(planned.nodes.at(0)).ram).c_str());
  out << line;

  Time estimated_token;
  for (std::size_t b = 0; b < estimates.size(); ++b) {
    const report::BlockEstimate& e = estimates[b];
    const exec::BlockStats& simulated = result.stats.blocks.at(b);
    out << "block \"" << e.name << "\" x" << e.repeat << ": each op alone (a lower bound on its time)\n";
    for (const report::OpEstimate& op : e.ops) {
      std::snprintf(line, sizeof line, "  %-28s %-26s %12s  %s\n", op.label.c_str(), op.kind.c_str(),
                    format_time(op.estimate).c_str(), op.detail.c_str());
      out << line;
    }
    std::snprintf(line, sizeof line, "  %-55s %12s\n", "longest path through the ops", format_time(e.path).c_str());
    out << line;
    std::snprintf(line, sizeof line, "  %-55s %12s\n", ("busiest resource: " + e.resource_name).c_str(),
                  format_time(e.resource).c_str());
    out << line;
    const double extra = e.estimate().ps > 0 ? 100.0 * static_cast<double>((simulated.duration - e.estimate()).ps) /
                                                   static_cast<double>(e.estimate().ps)
                                             : 0.0;
    std::snprintf(line, sizeof line, "  %-55s %12s\n  %-55s %12s  (+%.1f%%: queueing and contention)\n\n",
                  "estimate (the larger)", format_time(e.estimate()).c_str(), "simulated",
                  format_time(simulated.duration).c_str(), extra);
    out << line;
    estimated_token += e.estimate() * e.repeat;
  }
  std::snprintf(line, sizeof line, "token: estimate %s, simulated %s; %g tokens/s simulated\n",
                format_time(estimated_token).c_str(), format_time(result.stats.token_latency).c_str(),
                static_cast<double>(s.run.batch) / result.stats.token_latency.seconds());
  out << line;
  return 0;
}

}  // namespace shardsim::app
