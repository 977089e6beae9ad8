#include "shardsim/topo/summary.hpp"

#include <cstdio>
#include <utility>
#include <vector>

namespace shardsim::topo {
namespace {

// (name, count) in order of first appearance.
template <class Key>
void tally(std::vector<std::pair<Key, int>>& counts, const Key& key) {
  for (auto& [k, n] : counts) {
    if (k == key) {
      ++n;
      return;
    }
  }
  counts.emplace_back(key, 1);
}

std::string line(const char* label, const std::string& value) {
  std::string s = "  ";
  s += label;
  s.append(s.size() < 13 ? 13 - s.size() : 1, ' ');
  return s + value + "\n";
}

}  // namespace

std::string format_bit_rate(ByteRate rate) {
  static constexpr std::pair<double, const char*> units[] = {
      {1e12, "Tbit/s"}, {1e9, "Gbit/s"}, {1e6, "Mbit/s"}, {1e3, "kbit/s"}};
  const double bits = rate.per_second * 8;
  double scale = 1;
  const char* unit = "bit/s";
  for (const auto& [s, u] : units) {
    if (bits >= s) {
      scale = s;
      unit = u;
      break;
    }
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", bits / scale);
  std::string number = buffer;
  while (number.back() == '0') number.pop_back();
  if (number.back() == '.') number.pop_back();
  return number + " " + unit;
}

std::string summary(const Topology& t) {
  std::string out;

  std::vector<std::pair<std::string, int>> types;
  for (NodeId n = 0; n < t.node_count(); ++n) {
    tally(types, t.node(n).type.empty() ? std::string("untyped") : t.node(n).type);
  }
  std::string nodes = std::to_string(t.node_count());
  for (std::size_t i = 0; i < types.size(); ++i) {
    nodes += (i == 0 ? " (" : ", ") + std::to_string(types[i].second) + " " + types[i].first;
  }
  out += line("nodes", nodes + (types.empty() ? "" : ")"));

  std::string switches = std::to_string(t.switch_count());
  VertexId busiest = -1;
  for (VertexId v = 0; v < t.vertex_count(); ++v) {
    if (std::holds_alternative<hw::SwitchSpec>(t.vertex(v).spec) && (busiest < 0 || t.degree(v) > t.degree(busiest))) {
      busiest = v;
    }
  }
  if (busiest >= 0) {
    const int ports = std::get<hw::SwitchSpec>(t.vertex(busiest).spec).ports;
    switches += " (most links: " + t.vertex(busiest).name + ", " + std::to_string(t.degree(busiest)) + " links" +
                (ports > 0 ? " on " + std::to_string(ports) + " ports)" : ")");
  } else {
    switches += " (nodes joined directly)";
  }
  out += line("switches", switches);

  std::vector<std::pair<double, int>> rates;
  for (LinkId l = 0; l < t.link_count(); ++l) tally(rates, t.link(l).spec.bandwidth.per_second);
  std::string links = std::to_string(t.link_count());
  for (std::size_t i = 0; i < rates.size(); ++i) {
    links += (i == 0 ? " (" : ", ") + std::to_string(rates[i].second) + " x " +
             format_bit_rate(ByteRate{rates[i].first});
  }
  out += line("links", links + (rates.empty() ? "" : ")"));

  out += line("diameter", std::to_string(t.diameter_hops()) + (t.diameter_hops() == 1 ? " hop" : " hops"));
  const auto bisection = t.bisection_bandwidth();
  out += line("bisection", bisection ? format_bit_rate(*bisection) + " per direction" : "unknown");
  return out;
}

}  // namespace shardsim::topo
