// The cluster's price and the energy of one step, derived by hand from given busy times (the executor's own
// figures are tested elsewhere), then carried through make_result into energy per token and the reports.

#include <catch2/catch.hpp>
#include <sstream>

#include "printing.hpp"
#include "shardsim/exec/executor.hpp"
#include "shardsim/report/cluster_power.hpp"
#include "shardsim/report/result.hpp"
#include "shardsim/report/writers.hpp"
#include "shardsim/topo/star.hpp"

using namespace shardsim;

namespace {

// Three nodes on one switch: 5 W busy / 2 W idle, 80 USD each; the switch 4 W / 3 W, 20 USD.
topo::Topology star3(bool switch_figures = true) {
  topo::StarSpec s;
  s.nodes = 3;
  s.node.type = "board";
  s.node.ram = Bytes{8'000'000'000};
  s.node.flop_rate = FlopRate{30e9};
  s.node.memory_bandwidth = ByteRate{10e9};
  s.node.send_overhead = Time::from_us(50);
  s.node.recv_overhead = Time::from_us(50);
  s.node.power = hw::PowerSpec{2.0, 5.0};
  s.node.price = hw::Price{80, "USD"};
  if (switch_figures) {
    s.switch_spec.power = hw::PowerSpec{3.0, 4.0};
    s.switch_spec.price = hw::Price{20, "USD"};
  }
  s.link = hw::LinkSpec{ByteRate{125e6}, Time::from_ns(500)};
  topo::Topology t;
  topo::add_star(t, s, SourcePos{"test", 1, 1});
  t.seal();
  return t;
}

}  // namespace

TEST_CASE("energy over a window: busy x busy power + the rest x idle power, busy clamped to the window") {
  const hw::PowerSpec p{2.0, 5.0};
  // 4 ms busy of 10: 0.004 x 5 + 0.006 x 2 = 0.032 J.
  CHECK(hw::energy_joules(p, Time::from_us(4000), Time::from_us(10'000)) == Approx(0.032).epsilon(1e-12));
  // Busy 12 ms of a 10 ms window (two ops overlapping): the whole window busy, 0.010 x 5 = 0.05 J.
  CHECK(hw::energy_joules(p, Time::from_us(12'000), Time::from_us(10'000)) == Approx(0.05).epsilon(1e-12));
}

TEST_CASE("the cluster's energy counts the nodes the plan uses and the switches its traffic crossed") {
  const topo::Topology t = star3();
  exec::RunStats stats;
  stats.token_latency = Time::from_us(10'000);  // a 10 ms step
  stats.nodes.resize(3);
  stats.nodes[0].compute_busy = Time::from_us(4000);
  stats.nodes[1].compute_busy = Time::from_us(12'000);  // clamped to 10 ms
  stats.nodes[2].compute_busy = Time::from_us(9000);    // not in the plan: switched off
  stats.links.resize(static_cast<std::size_t>(2 * t.link_count()));
  // Node 0's link carries 1 ms of serialization one way and 0.5 ms the other: the switch is busy 1 ms.
  stats.links[0] = exec::LinkStats{Bytes{125'000}, Time::from_us(1000)};
  stats.links[1] = exec::LinkStats{Bytes{62'500}, Time::from_us(500)};

  const report::ClusterPower p = report::cluster_power(t, {0, 1}, stats);
  // node 0: 0.004 x 5 + 0.006 x 2 = 0.032 J; node 1: 0.010 x 5 = 0.050 J;
  // switch: 0.001 x 4 + 0.009 x 3 = 0.031 J. Total 0.113 J over 10 ms: 11.3 W.
  CHECK(p.nodes == 2);
  CHECK(p.switches == 1);
  REQUIRE(p.joules);
  CHECK(*p.joules == Approx(0.113).epsilon(1e-12));
  CHECK(*p.average_watts == Approx(11.3).epsilon(1e-12));
  // Two boards and the switch: 80 + 80 + 20 USD.
  REQUIRE(p.price);
  CHECK(p.price->amount == 180);
  CHECK(p.price->currency == "USD");
  CHECK(p.note.empty());

  // No traffic: no switch counted (a one-node plan needs none).
  stats.links.assign(stats.links.size(), exec::LinkStats{});
  const report::ClusterPower alone = report::cluster_power(t, {0}, stats);
  CHECK(alone.switches == 0);
  CHECK(*alone.joules == Approx(0.032).epsilon(1e-12));
  CHECK(alone.price->amount == 80);
}

TEST_CASE("a switch without figures is noted; a node without them leaves the figure unknown") {
  const topo::Topology t = star3(false);
  exec::RunStats stats;
  stats.token_latency = Time::from_us(10'000);
  stats.nodes.resize(3);
  stats.links.resize(static_cast<std::size_t>(2 * t.link_count()));
  stats.links[0] = exec::LinkStats{Bytes{125'000}, Time::from_us(1000)};
  const report::ClusterPower p = report::cluster_power(t, {0, 1}, stats);
  CHECK(p.switches_without_power == 1);
  CHECK(p.switches_without_price == 1);
  // The two idle nodes: 2 x 0.010 x 2 = 0.04 J.
  CHECK(*p.joules == Approx(0.04).epsilon(1e-12));
  CHECK(p.price->amount == 160);

  topo::Topology mixed;
  hw::NodeSpec a = t.node(0);
  hw::NodeSpec b = a;
  b.power = {};
  b.price = hw::Price{70, "EUR"};
  mixed.add_node("a", a, SourcePos{"test", 1, 1});
  mixed.add_node("b", b, SourcePos{"test", 2, 1});
  mixed.add_link("a", "b", hw::LinkSpec{ByteRate{125e6}, Time{}}, SourcePos{"test", 3, 1});
  mixed.seal();
  stats.nodes.resize(2);
  stats.links.assign(2, exec::LinkStats{});
  const report::ClusterPower q = report::cluster_power(mixed, {0, 1}, stats);
  CHECK_FALSE(q.joules);
  CHECK_FALSE(q.price);
  CHECK_THAT(q.note, Catch::Contains("no power_idle") && Catch::Contains("USD and EUR"));
}

TEST_CASE("a run's energy per token is its average power x token latency / batch, in every report") {
  const topo::Topology t = star3();
  report::RunInputs in;
  in.topology = &t;
  in.model.d_model = 512;
  in.model.d_ff = 2048;
  in.model.layers = 2;
  in.model.experts = 1;
  in.model.experts_per_token = 1;
  in.plan.nodes = 3;
  in.run.batch = 4;
  const plan::PlannedWorkload planned = plan::build_seed_plan(in.model, in.run.batch, in.plan);
  const report::Result r = report::make_result(in, planned, exec::execute(t, planned.graph, in.network));
  auto fig = [&r](std::string_view name) { return r.figures.at(*metric_index(name)); };
  // Recomputed from the run's own busy times with the closed form, node by node and for the one switch.
  const Time window = r.stats.token_latency;
  double joules = 0;
  for (int n = 0; n < 3; ++n) {
    const double busy = std::min(r.stats.nodes[static_cast<std::size_t>(n)].compute_busy, window).seconds();
    joules += busy * 5.0 + (window.seconds() - busy) * 2.0;
  }
  Time switch_busy;
  for (const exec::LinkStats& l : r.stats.links) switch_busy = std::max(switch_busy, l.busy);
  joules += switch_busy.seconds() * 4.0 + (window - switch_busy).seconds() * 3.0;
  CHECK(fig("average_power") == Approx(joules / window.seconds()).epsilon(1e-9));
  CHECK(fig("energy_per_token") == Approx(joules / 4).epsilon(1e-9));
  CHECK(fig("tokens_per_joule") == Approx(4 / joules).epsilon(1e-9));
  CHECK(fig("cluster_price") == 260);
  // Between all idle and all busy: 3 x 2 + 3 <= W <= 3 x 5 + 4.
  CHECK(fig("average_power") > 9.0);
  CHECK(fig("average_power") < 19.0);
  std::ostringstream text, json;
  report::write_text(text, r);
  report::write_json(json, r);
  CHECK_THAT(text.str(), Catch::Contains("Power and price (3 nodes the plan uses, 1 switch its traffic crosses)"));
  CHECK_THAT(text.str(), Catch::Contains("260.00 USD"));
  CHECK_THAT(json.str(), Catch::Contains("\"energy_per_token\"") && Catch::Contains("\"currency\" : \"USD\""));
}
