#include "shardsim/report/trace_writer.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "shardsim/util/json_text.hpp"

namespace shardsim::report {
namespace {

enum Process { kCompute = 1, kLinks = 2, kCollectives = 3, kCritical = 4 };

// Microseconds with six decimals: exactly the picoseconds.
std::string micros(Time t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(t.ps / 1'000'000),
                static_cast<long long>(t.ps % 1'000'000));
  return buf;
}

}  // namespace

void write_chrome_trace(std::ostream& out, const exec::Trace& trace, const topo::Topology& topology) {
  using Kind = exec::TraceSpan::Kind;
  std::set<std::int32_t> nodes, links;
  std::map<std::pair<std::int32_t, std::int32_t>, std::int32_t> collectives;  // (block, op) -> thread id
  for (const exec::TraceSpan& s : trace.spans) {
    if (s.kind == Kind::compute) nodes.insert(s.track);
    if (s.kind == Kind::link) links.insert(s.track);
    if (s.kind == Kind::collective) collectives.emplace(std::make_pair(s.block, s.op), 0);
  }
  std::int32_t next = 0;
  for (auto& [key, tid] : collectives) tid = next++;

  out << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"dropped_link_spans\":" << trace.dropped_link_spans
      << "},\"traceEvents\":[\n";
  bool first = true;
  auto event = [&](const std::string& body) {
    out << (first ? "" : ",\n") << "{" << body << "}";
    first = false;
  };
  auto name_process = [&](int pid, const char* name) {
    event("\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"args\":{\"name\":\"" +
          name + "\"}");
  };
  auto name_thread = [&](int pid, std::int32_t tid, const std::string& name) {
    event("\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" +
          std::to_string(tid) + ",\"args\":{\"name\":" + json_string(name) + "}");
  };
  name_process(kCompute, "compute");
  name_process(kLinks, "links");
  name_process(kCollectives, "collectives");
  name_process(kCritical, "critical path");
  for (std::int32_t n : nodes) name_thread(kCompute, n, topology.node_name(n));
  for (std::int32_t l : links) name_thread(kLinks, l, topology.dir_link_name(l));
  for (const auto& [key, tid] : collectives) {
    name_thread(kCollectives, tid, trace.op_labels[static_cast<std::size_t>(key.first)][static_cast<std::size_t>(key.second)]);
  }
  name_thread(kCritical, 0, "critical path");

  auto span = [&](int pid, std::int32_t tid, const std::string& name, const char* category, const exec::TraceSpan& s,
                  const std::string& args) {
    event("\"name\":" + json_string(name) + ",\"cat\":\"" + category + "\",\"ph\":\"X\",\"pid\":" +
          std::to_string(pid) + ",\"tid\":" + std::to_string(tid) + ",\"ts\":" + micros(s.begin) +
          ",\"dur\":" + micros(s.end - s.begin) + ",\"args\":{" + args + "}");
  };
  for (const exec::TraceSpan& s : trace.spans) {
    const std::string& label = trace.op_labels[static_cast<std::size_t>(s.block)][static_cast<std::size_t>(s.op)];
    std::string block = "\"block\":" + json_string(trace.block_names[static_cast<std::size_t>(s.block)]);
    if (trace.all_repeats) block += ",\"repetition\":" + std::to_string(s.repetition);
    // A message's payload, source and destination (link and critical-path transfer spans).
    const std::string message = s.kind == Kind::link || s.kind == Kind::transfer
                                    ? ",\"bytes\":" + std::to_string(s.bytes.count) + ",\"src\":" +
                                          json_string(topology.node_name(s.kind == Kind::link ? s.source : s.track)) +
                                          ",\"dst\":" + json_string(topology.node_name(s.peer))
                                    : "";
    switch (s.kind) {
      case Kind::compute:
        span(kCompute, s.track, label, "compute", s, block + (s.critical ? ",\"critical\":true" : ""));
        if (s.critical) span(kCritical, 0, label + " @ " + topology.node_name(s.track), "critical", s, block);
        break;
      case Kind::link:
        span(kLinks, s.track, label, "link", s, block + message);
        break;
      case Kind::collective:
        span(kCollectives, collectives.at({s.block, s.op}), label, "collective", s, block);
        break;
      case Kind::transfer:
        span(kCritical, 0, label + " " + topology.node_name(s.track) + "->" + topology.node_name(s.peer), "critical",
             s, block + message);
        break;
    }
  }
  out << "\n]}\n";
}

}  // namespace shardsim::report
