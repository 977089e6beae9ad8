#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "json_check.hpp"
#include "printing.hpp"
#include "round_star.hpp"
#include "shardsim/exec/executor.hpp"
#include "shardsim/plan/seed_plan.hpp"
#include "shardsim/report/trace_writer.hpp"
#include "shardsim/topo/star.hpp"

using namespace shardsim;

// The 2-node round-number star: its token is derived by hand in tests/exec/executor_test.cpp (62.872 us).
namespace {

const net::NetworkOptions kFraming{net::NetworkModelKind::fifo, Bytes{1000}, Bytes{100}};

// The seed layer of that token (d_model 8, d_ff 16) on 2 nodes, `layers` times.
plan::OpGraph two_node_token(std::int64_t layers) {
  workload::ModelSpec m;
  m.d_model = 8;
  m.d_ff = 16;
  m.layers = layers;
  plan::PlanSpec spec;
  spec.nodes = 2;
  return plan::build_seed_plan(m, 1, spec).graph;
}

// The trace as Chrome trace JSON, checked to be well-formed.
std::string chrome_json(const exec::Trace& trace, const topo::Topology& t) {
  std::ostringstream json;
  report::write_chrome_trace(json, trace, t);
  CHECK(testing::JsonCheck::valid(json.str()));
  return json.str();
}

}  // namespace

TEST_CASE("trace: the critical path of the hand-derived 2-node token, and well-formed JSON") {
  const topo::Topology t = testing::round_star(2);
  exec::Trace trace;
  const exec::RunStats stats = exec::execute(t, two_node_token(3), kFraming, &trace);
  REQUIRE(stats.token_latency == Time::from_ns(62872) * 3);
  // The critical path derived in executor_test.cpp: expand0 on node0 (0 .. 1.160), the all-gather message
  // node0 -> node1 (started 1.160, delivered 35.856), reduce1 on node1 (35.856 .. 37.024), the gather message
  // node1 -> node0 (37.024 .. 62.872). One repetition of the layer is recorded.
  std::vector<std::string> path;
  for (const exec::TraceSpan& s : trace.spans) {
    if (s.kind == exec::TraceSpan::Kind::transfer) {
      path.push_back(trace.op_labels[0][static_cast<std::size_t>(s.op)] + " " + std::to_string(s.track) + "->" +
                     std::to_string(s.peer) + " " + std::to_string(s.begin.ps) + ".." + std::to_string(s.end.ps));
    } else if (s.kind == exec::TraceSpan::Kind::compute && s.critical) {
      path.push_back(trace.op_labels[0][static_cast<std::size_t>(s.op)] + " " + std::to_string(s.begin.ps) + ".." +
                     std::to_string(s.end.ps));
    }
  }
  // Compute spans are flagged in the order they ran; messages are appended from the end of the path backwards.
  CHECK(path == std::vector<std::string>{
                    "expert0.expand0 0..1160000",
                    "expert0.reduce1 35856000..37024000",
                    "expert0.gather 1->0 37024000..62872000",
                    "expert0.all_gather 0->1 1160000..35856000",
                });
  // Every message crosses two links: 4 messages -> 8 link spans; 4 compute ops; 3 collectives.
  std::size_t links = 0, computes = 0, collectives = 0;
  for (const exec::TraceSpan& s : trace.spans) {
    links += s.kind == exec::TraceSpan::Kind::link ? 1 : 0;
    computes += s.kind == exec::TraceSpan::Kind::compute ? 1 : 0;
    collectives += s.kind == exec::TraceSpan::Kind::collective ? 1 : 0;
  }
  CHECK(links == 8);
  CHECK(computes == 4);
  CHECK(collectives == 3);

  std::ostringstream json;
  report::write_chrome_trace(json, trace, t);
  CHECK(testing::JsonCheck::valid(json.str()));
  CHECK_THAT(json.str(), Catch::Contains("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"node0\"}}"));
  CHECK_THAT(json.str(), Catch::Contains("\"args\":{\"name\":\"node0->switch\"}"));
  CHECK_THAT(json.str(), Catch::Contains("\"args\":{\"name\":\"expert0.all_gather\"}"));
  // The gather message on the critical track: starts at 37.024 us and lasts 25.848 us.
  CHECK_THAT(json.str(), Catch::Contains("\"name\":\"expert0.gather node1->node0\",\"cat\":\"critical\",\"ph\":\"X\","
                                         "\"pid\":4,\"tid\":0,\"ts\":37.024000,\"dur\":25.848000"));
}

TEST_CASE("trace: link spans beyond the limit are counted, not stored") {
  const topo::Topology t = testing::round_star(2);
  exec::Trace trace;
  trace.max_link_spans = 3;
  exec::execute(t, two_node_token(1), net::NetworkOptions{}, &trace);
  std::size_t links = 0;
  for (const exec::TraceSpan& s : trace.spans) links += s.kind == exec::TraceSpan::Kind::link ? 1 : 0;
  CHECK(links == 3);
  CHECK(trace.dropped_link_spans == 8 - 3);
  std::ostringstream json;
  report::write_chrome_trace(json, trace, t);
  CHECK(testing::JsonCheck::valid(json.str()));
  CHECK_THAT(json.str(), Catch::Contains("\"dropped_link_spans\":5"));
  CHECK_FALSE(testing::JsonCheck::valid(json.str().substr(0, json.str().size() - 3)));  // the checker can fail
}

TEST_CASE("trace: link spans carry the message's payload bytes, source and destination") {
  // The same 2-node token (executor_test.cpp): the broadcast of x (8 fp16 values = 16 B) node0 -> node1, the
  // all-gather's two pieces (16 B) node0 -> node1 and node1 -> node0, the gather's output piece (4 values = 8 B)
  // node1 -> node0. Each crosses two links (node -> switch -> node): 8 link spans, 2 x (16 + 16 + 16 + 8) = 112 B.
  // Before, a link span had neither bytes nor ends.
  const topo::Topology t = testing::round_star(2);
  exec::Trace trace;
  exec::execute(t, two_node_token(1), kFraming, &trace);
  std::multiset<std::string> messages;
  std::int64_t bytes = 0;
  for (const exec::TraceSpan& s : trace.spans) {
    if (s.kind != exec::TraceSpan::Kind::link) continue;
    messages.insert(std::to_string(s.source) + "->" + std::to_string(s.peer) + " " + std::to_string(s.bytes.count));
    bytes += s.bytes.count;
  }
  CHECK(messages == std::multiset<std::string>{"0->1 16", "0->1 16", "0->1 16", "0->1 16", "1->0 16", "1->0 16",
                                                "1->0 8", "1->0 8"});
  CHECK(bytes == 112);
  const std::string json = chrome_json(trace, t);
  // The gather's piece on node1's uplink: sent 37.024 .. 47.024 us (CPU), on the link 47.024 .. 47.888.
  CHECK_THAT(json, Catch::Contains("\"name\":\"expert0.gather\",\"cat\":\"link\",\"ph\":\"X\",\"pid\":2,"
                                         "\"tid\":2,\"ts\":47.024000,\"dur\":0.864000,\"args\":{\"block\":\"layer "
                                         "(x1)\",\"bytes\":8,\"src\":\"node1\",\"dst\":\"node0\"}"));
  // The critical-path message carries them too.
  CHECK_THAT(json, Catch::Contains("\"name\":\"expert0.gather node1->node0\",\"cat\":\"critical\""));
  CHECK_THAT(json, Catch::Contains("\"bytes\":8,\"src\":\"node1\",\"dst\":\"node0\"}"));
}

TEST_CASE("trace: all_repeats records every repetition of a repeated block, one after another") {
  // 3 layers of the 2-node token: one repetition is 62.872 us (executor_test.cpp). Recorded once (the default):
  // 4 compute, 8 link, 3 collective and 2 critical-path message spans, ending at 62.872 us. Recorded in full: 3
  // times as many, repetition k shifted by k x 62.872 us, the last ending at 188.616 us.
  const topo::Topology t = testing::round_star(2);
  const plan::OpGraph graph = two_node_token(3);
  exec::Trace once;
  exec::execute(t, graph, kFraming, &once);
  exec::Trace all;
  all.all_repeats = true;
  exec::execute(t, graph, kFraming, &all);
  CHECK(once.spans.size() == 4 + 8 + 3 + 2);
  CHECK(once.end == Time::from_ns(62872));
  REQUIRE(all.spans.size() == 3 * (4 + 8 + 3 + 2));
  CHECK(all.end == Time::from_ns(3 * 62872));
  for (std::size_t i = 0; i < all.spans.size(); ++i) {
    const exec::TraceSpan& s = all.spans[i];
    const exec::TraceSpan& first = all.spans[i % once.spans.size()];
    CHECK(s.repetition == static_cast<std::int64_t>(i / once.spans.size()));
    CHECK(s.begin == first.begin + Time::from_ns(62872) * s.repetition);
    CHECK(s.kind == first.kind);
    CHECK(s.critical == first.critical);
  }
  const std::string json = chrome_json(all, t);
  // The gather message of the third layer on the critical track: 37.024 + 2 x 62.872 = 162.768 us.
  CHECK_THAT(json, Catch::Contains("\"name\":\"expert0.gather node1->node0\",\"cat\":\"critical\",\"ph\":\"X\","
                                         "\"pid\":4,\"tid\":0,\"ts\":162.768000,\"dur\":25.848000,\"args\":{\"block\":"
                                         "\"layer (x3)\",\"repetition\":2,"));
}
