#include "shardsim/report/explain.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <variant>

#include "shardsim/hw/roofline.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::report {
namespace {

using plan::CollectiveOp;
using plan::ComputeOp;

// "expert0.expand17" -> "expert0.expand": ops that differ only in their node number are shown as one group.
std::string group_of(const std::string& label) {
  std::size_t end = label.size();
  while (end > 0 && label[end - 1] >= '0' && label[end - 1] <= '9') --end;
  return label.substr(0, end);
}

std::string fmt(const char* format, auto... values) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, values...);
  return buf;
}

struct Resources {
  std::vector<Time> compute;     // per node
  std::vector<Time> send_cpu;    // per node
  std::vector<Time> recv_cpu;    // per node
  std::vector<Bytes> link;       // per directed link
};

struct CollectiveBound {
  Time cpu, link, chain, estimate;
  std::string cpu_at, link_at;
  std::size_t messages = 0;
};

CollectiveBound bound(const topo::Topology& t, const CollectiveOp& c, const net::NetworkOptions& network,
                      Resources& total) {
  const collective::Schedule s = collective::expand(c.spec);
  CollectiveBound b;
  b.messages = s.steps.size();
  const auto nodes = static_cast<std::size_t>(t.node_count());
  // Sending CPU time per node and thread (a runtime may send from several, plan/op_graph.hpp); receiving per node.
  std::vector<std::vector<Time>> send(nodes, std::vector<Time>(static_cast<std::size_t>(std::max(1, c.io_threads))));
  std::vector<Time> recv(nodes), path(s.steps.size());
  std::vector<Bytes> link(static_cast<std::size_t>(2 * t.link_count()));
  std::vector<topo::DirLinkId> route;
  for (std::size_t k = 0; k < s.steps.size(); ++k) {
    const collective::Step& step = s.steps[k];
    const auto src = c.members[static_cast<std::size_t>(step.src)];
    const auto dst = c.members[static_cast<std::size_t>(step.dst)];
    const hw::NodeSpec& from = t.node(src);
    const hw::NodeSpec& to = t.node(dst);
    const Time sending = from.send_overhead * c.send_calls(step.bytes);
    send[static_cast<std::size_t>(src)][static_cast<std::size_t>(c.io_lane(src, dst))] += sending;
    recv[static_cast<std::size_t>(dst)] += to.recv_overhead;
    const Bytes wire = net::wire_bytes(step.bytes, network);
    t.route(src, dst, route, k);
    ByteRate slowest{0};
    for (topo::DirLinkId d : route) {
      link[static_cast<std::size_t>(d)] += wire;
      const ByteRate bw = t.dir_link_spec(d).bandwidth;
      if (slowest.per_second == 0 || bw < slowest) slowest = bw;
    }
    // One message alone: overheads, one serialization at the bottleneck, the route's latency.
    Time alone = sending + to.recv_overhead + t.route_latency(src, dst);
    if (slowest.per_second > 0) alone += transfer_time(wire, slowest);
    Time before;
    for (std::uint32_t j = s.dep_begin[k]; j < s.dep_begin[k + 1]; ++j) before = std::max(before, path[s.deps[j]]);
    path[k] = before + alone;
    b.chain = std::max(b.chain, path[k]);
  }
  for (std::size_t n = 0; n < nodes; ++n) {
    const Time sending = *std::max_element(send[n].begin(), send[n].end());  // the busiest sending thread
    total.send_cpu[n] += sending;
    total.recv_cpu[n] += recv[n];
    const Time cpu = std::max(sending, recv[n]);
    if (cpu > b.cpu) {
      b.cpu = cpu;
      b.cpu_at = t.node_name(static_cast<topo::NodeId>(n)) + (sending >= recv[n] ? " sending" : " receiving");
    }
  }
  for (std::size_t d = 0; d < link.size(); ++d) {
    total.link[d] += link[d];
    if (link[d].count == 0) continue;
    const Time busy = transfer_time(link[d], t.dir_link_spec(static_cast<topo::DirLinkId>(d)).bandwidth);
    if (busy > b.link) {
      b.link = busy;
      b.link_at = t.dir_link_name(static_cast<topo::DirLinkId>(d)) + " " + format_bytes(link[d]);
    }
  }
  b.estimate = std::max({b.cpu, b.link, b.chain});
  return b;
}

}  // namespace

std::vector<BlockEstimate> estimate(const topo::Topology& t, const plan::OpGraph& graph,
                                    const net::NetworkOptions& network) {
  std::vector<BlockEstimate> out;
  for (const plan::Block& block : graph.blocks) {
    BlockEstimate be;
    be.name = block.name;
    be.repeat = block.repeat;
    const auto nodes = static_cast<std::size_t>(t.node_count());
    Resources total{std::vector<Time>(nodes), std::vector<Time>(nodes), std::vector<Time>(nodes),
                    std::vector<Bytes>(static_cast<std::size_t>(2 * t.link_count()))};
    std::vector<Time> finish(block.ops.size());
    std::map<std::string, std::size_t> group_row;  // "label stem|kind" -> its row in be.ops
    for (std::size_t i = 0; i < block.ops.size(); ++i) {
      const plan::Op& op = block.ops[i];
      OpEstimate e;
      e.label = op.label;
      if (const auto* c = std::get_if<ComputeOp>(&op.kind)) {
        const hw::ComputeCost cost = hw::roofline(t.node(c->node), c->work);
        total.compute[static_cast<std::size_t>(c->node)] += cost.total();
        e.kind = "compute";
        e.estimate = cost.total();
        e.detail = fmt("%.4g MFLOP: %s; %s read+written: %s; %s-bound, + %s not overlapped, + %s per op",
                       static_cast<double>(c->work.flops.count) / 1e6, format_time(cost.flop_time).c_str(),
                       format_bytes(c->work.bytes_read + c->work.bytes_written).c_str(),
                       format_time(cost.memory_time).c_str(), cost.memory_bound() ? "memory" : "compute",
                       format_time(cost.exposed).c_str(), format_time(cost.overhead).c_str());
      } else {
        const auto& co = std::get<CollectiveOp>(op.kind);
        const CollectiveBound b = bound(t, co, network, total);
        e.kind = std::string(collective::to_string(co.spec.kind)) + " (" +
                 std::string(collective::to_string(co.spec.algorithm)) + ")";
        e.estimate = b.estimate;
        e.detail = fmt("%zu messages; busiest link %s: %s; busiest CPU %s: %s; longest chain %s", b.messages,
                       b.link_at.empty() ? "-" : b.link_at.c_str(), format_time(b.link).c_str(),
                       b.cpu_at.empty() ? "-" : b.cpu_at.c_str(), format_time(b.cpu).c_str(),
                       format_time(b.chain).c_str());
      }
      Time start;
      for (plan::OpId d : op.deps) start = std::max(start, finish[static_cast<std::size_t>(d)]);
      finish[i] = start + e.estimate;
      be.path = std::max(be.path, finish[i]);
      // Ops of one group (the same op on different nodes: labels that differ only in a trailing number) show as
      // one row, at the place of the first, with the slowest's figures.
      const std::string group = group_of(e.label);
      if (group != e.label) {
        auto [it, added] = group_row.emplace(group + "|" + e.kind, be.ops.size());
        if (!added) {
          OpEstimate& g = be.ops[it->second];
          if (e.estimate > g.estimate) {
            g.estimate = e.estimate;
            g.detail = e.detail;
          }
          ++g.count;
          continue;
        }
      }
      be.ops.push_back(std::move(e));
    }
    for (OpEstimate& g : be.ops) {
      if (g.count > 1) g.label = group_of(g.label) + "[0.." + std::to_string(g.count - 1) + "]";
    }
    auto consider = [&be](Time busy, std::string what) {
      if (busy > be.resource) {
        be.resource = busy;
        be.resource_name = std::move(what);
      }
    };
    for (std::size_t n = 0; n < nodes; ++n) {
      const std::string name = t.node_name(static_cast<topo::NodeId>(n));
      consider(total.compute[n], name + " computing");
      consider(total.send_cpu[n], name + " sending messages");
      consider(total.recv_cpu[n], name + " receiving messages");
    }
    for (std::size_t d = 0; d < total.link.size(); ++d) {
      if (total.link[d].count == 0) continue;
      consider(transfer_time(total.link[d], t.dir_link_spec(static_cast<topo::DirLinkId>(d)).bandwidth),
               t.dir_link_name(static_cast<topo::DirLinkId>(d)) + " carrying " + format_bytes(total.link[d]));
    }
    out.push_back(std::move(be));
  }
  return out;
}

}  // namespace shardsim::report
