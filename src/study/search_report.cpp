// The text of a search (search.hpp): what was tried, the Pareto fronts, and the best plan.

#include <cstdio>
#include <ostream>

#include "shardsim/study/search.hpp"
#include "shardsim/util/metric.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::study {
namespace {

double figure(const Outcome& o, std::string_view name) { return o.figures.at(*metric_index(name)); }

std::string fixed(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string price_text(const Outcome& o) {
  const double p = figure(o, "cluster_price");
  return p > 0 ? fixed("%.2f", p) + " " + o.currency : "-";
}

std::string power_text(const Outcome& o) {
  const double w = figure(o, "average_power");
  return w > 0 ? fixed("%.1f W", w) : "-";
}

void write_row(std::ostream& out, const SearchResult& r, std::size_t i) {
  const Outcome& o = r.outcomes[i];
  char line[512];
  std::snprintf(line, sizeof line, "  %5d %12s %14s %14s %10s %10s  %s\n", o.nodes,
                fixed("%.4g", figure(o, "tokens_per_second")).c_str(),
                format_time(Time::from_seconds(figure(o, "token_latency"))).c_str(), price_text(o).c_str(),
                power_text(o).c_str(),
                figure(o, "energy_per_token") > 0 ? fixed("%.4g J", figure(o, "energy_per_token")).c_str() : "-",
                r.candidates[i].label.c_str());
  out << line;
}

void write_front(std::ostream& out, const SearchResult& r, const std::vector<std::size_t>& front,
                 const std::string& against) {
  if (front.empty()) return;
  out << "\nPareto front: tokens/s against " << against << " (no plan is both faster and cheaper)\n";
  out << "  nodes     tokens/s  token latency          price      power  J/token  plan\n";
  for (const std::size_t i : front) write_row(out, r, i);
}

}  // namespace

void write_search(std::ostream& out, const scenario::Scenario& s, const SearchOptions& options,
                  const SearchResult& r) {
  std::size_t refused = 0, pruned = 0, simulated = 0, meeting = 0;
  for (const Outcome& o : r.outcomes) {
    refused += o.verdict == Verdict::refused;
    pruned += o.verdict == Verdict::pruned;
    simulated += o.verdict == Verdict::simulated;
    meeting += o.meets;
  }
  out << "search    " << s.path << " on " << s.topology_path << " (" << s.topology.node_count() << " nodes)\n";
  out << "plans     " << r.candidates.size() << " candidates: " << refused << " refused by their strategy, " << pruned
      << " pruned (RAM, node count, duplicates), " << simulated << " simulated, " << meeting
      << " meet the requirements\n";
  out << "require   ";
  if (options.requirements.empty()) out << "(nothing)";
  for (std::size_t i = 0; i < options.requirements.size(); ++i) {
    out << (i ? ", " : "") << options.requirements[i].text;
  }
  out << "\nrank      " << metric_catalog()[options.rank_metric].name
      << (options.rank_lower_is_better ? " (less is better)" : " (more is better)") << "\n";

  write_front(out, r, r.front_nodes, "nodes used");
  write_front(out, r, r.front_price, "the cluster's price");
  write_front(out, r, r.front_power, "average power");

  out << "\n";
  if (!r.best) {
    out << "No plan meets the requirements.\n";
    return;
  }
  const Outcome& b = r.outcomes[*r.best];
  out << "Best plan: " << r.candidates[*r.best].label << "\n";
  auto line = [&out](const std::string& label, const std::string& value) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "  %-28s %s\n", label.c_str(), value.c_str());
    out << buf;
  };
  line("tokens/s", fixed("%.6g", figure(b, "tokens_per_second")));
  line("token latency", format_time(Time::from_seconds(figure(b, "token_latency"))));
  if (s.run.generates()) {
    line("time to first token", format_time(Time::from_seconds(figure(b, "time_to_first_token"))));
    line("decode tokens/s", fixed("%.6g", figure(b, "decode_tokens_per_second")));
  }
  line("nodes", std::to_string(b.nodes));
  line("fits in RAM", figure(b, "fits") > 0 ? "yes" : "no (weights stream from storage)");
  if (figure(b, "cluster_price") > 0) line("cluster price", price_text(b));
  if (figure(b, "average_power") > 0) {
    line("average power", power_text(b));
    line("energy per token", fixed("%.4g J", figure(b, "energy_per_token")));
  }
  out << "  [plan]\n";
  std::string body = r.candidates[*r.best].plan_toml;
  std::size_t start = 0;
  while (start < body.size()) {
    const std::size_t end = body.find('\n', start);
    out << "    " << body.substr(start, end - start) << "\n";
    start = end + 1;
  }
}

}  // namespace shardsim::study
