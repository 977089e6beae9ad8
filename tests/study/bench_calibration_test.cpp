// The tools' outputs (tests/data/, in the formats their documentation gives: llama.cpp's
// tools/llama-bench/README.md "Output formats / JSON"; iperf3's -J object with end.sum_received; iputils ping's
// summary line) read and turned into node-type fields, each expected value derived by hand below; and every kind
// of bad file reported at its file:line:column.

#include <catch2/catch.hpp>
#include <string>

#include "temp_dir.hpp"
#include "shardsim/study/bench_calibration.hpp"
#include "shardsim/study/bench_files.hpp"

using namespace shardsim::study;
using shardsim::testing::check_error;
using shardsim::testing::input_error;
using shardsim::testing::TempDir;

namespace {
std::string data(const std::string& name) { return std::string(SHARDSIM_SOURCE_DIR) + "/tests/data/" + name; }
}  // namespace

TEST_CASE("llama-bench's JSON is read test by test") {
  const auto tests = read_llama_bench(data("llama-bench-pi5.json"));
  REQUIRE(tests.size() == 2);
  CHECK(tests[0].model_type == "llama 7B Q4_0");
  CHECK(tests[0].model_n_params == 6738415616);
  CHECK(tests[0].n_prompt == 512);
  CHECK(tests[0].n_gen == 0);
  CHECK(tests[0].avg_ts == 8.1);
  CHECK(tests[0].pos.line == 2);
  CHECK(tests[1].n_gen == 128);
  CHECK(tests[1].avg_ts == 2.26);
  CHECK(tests[1].pos.line == 39);
}

TEST_CASE("llama-bench on a Pi 5 gives the memory bandwidth and the q4_0 prefill rate its rates imply") {
  BenchContext context;
  context.node_types_file = std::string(SHARDSIM_SOURCE_DIR) + "/topologies/pi-nodes.toml";
  context.node_type = "pi5-8gb";
  const LlamaBenchFit fit = fit_llama_bench(data("llama-bench-pi5.json"), context);
  CHECK(fit.model == "llama2-7b");  // 6738415616 parameters: Llama 2 7B's count exactly
  REQUIRE(fit.fields.size() == 2);
  // tg128 at 2.26 tokens/s: a decode step of 1 / 2.26 = 442.48 ms at the mean context 64. It reads the q4_0
  // weights but the embedding table, 3716630784 B (scenarios/llama2-7b-pi4-8gb-tensor-1.toml derives it), and
  // 64 tokens of fp16 KV cache, 64 x 524288 = 33554432 B: 3750185216 B. Its arithmetic, 2 x 6607343616 = 13.21
  // GFLOP at the Pi 5's q4_0 decode rate of 70 GFLOP/s, takes 188.8 ms, of which half is not hidden
  // (compute_memory_overlap 0.5): memory time 442.48 - 94.4 = 348.1 ms, so 3750185216 B / 0.3481 s = 10.77 GB/s.
  // (The attention's few MFLOP at flop_rate and 0.35 us per op move it by well under 1 %.)
  CHECK(fit.fields[0].field.name == "memory_bandwidth");
  CHECK(fit.fields[0].value == Approx(10.77e9).epsilon(0.01));
  // pp512 at 8.1 tokens/s: a prefill of 512 / 8.1 = 63.21 s. Its matmuls, 2 x 6607343616 x 512 = 6.766 TFLOP,
  // dominate; the weights are read once (3.72 GB at 10.8 GB/s = 0.34 s, half of it not hidden: 0.17 s), and the
  // causal attention's 4 x 4096 x (512 x 513 / 2) x 32 = 68.9 GFLOP run at flop_rate, 35 GFLOP/s: 1.97 s, of
  // which its KV reads hide little. So 6.766e12 / (63.21 - 0.17 - 1.97) s = 110.8 GFLOP/s, within about 2 %:
  // the attention's own memory time and the LM head of the last token are left out of this sum.
  CHECK(fit.fields[1].field.name == "prefill_rates.q4_0");
  CHECK(fit.fields[1].value == Approx(110.8e9).epsilon(0.02));
  for (const RowFit& row : fit.fit.rows) CHECK(std::abs(row.residual()) < 1e-4);
}

TEST_CASE("iperf3's goodput gives the frame overhead, ping's round trip the per-message overheads") {
  const Iperf3Result iperf = read_iperf3(data("iperf3-pi5.json"));
  CHECK(iperf.bits_per_second == 941500000);
  CHECK(iperf.pos.line == 99);  // end.sum_received.bits_per_second
  LinkContext link;  // 1 Gbit/s, 2 hops, 0.5 us per link, 2 us per switch, 1448 payload bytes per frame
  // 941.5 Mbit/s of 1000: 1448 x (1000 / 941.5 - 1) = 1448 x 0.062135 = 89.97 bytes per frame, the 90 of IPv4,
  // TCP with timestamps, Ethernet header, FCS, preamble and gap.
  const Iperf3Fit i = fit_iperf3(iperf, link);
  CHECK(i.efficiency == Approx(0.9415));
  CHECK(i.frame_overhead == Approx(89.97).epsilon(1e-4));

  const PingResult ping = read_ping(data("ping-pi5.txt"));
  CHECK(ping.avg == Approx(0.530e-3));
  CHECK(ping.min == Approx(0.412e-3));
  CHECK(ping.payload_bytes == 56);
  CHECK(ping.pos.line == 9);
  // One way: the echo frame is 56 + 8 + 20 + 14 + 4 + 8 + 12 = 122 bytes on the wire, 0.976 us per hop at 1 Gbit/s;
  // two hops with 0.5 us each and one switch's 2 us: 2 x 1.476 + 2 = 4.952 us. The stacks take 530 / 2 - 4.952 =
  // 260.048 us, split evenly: 130.024 us each.
  const PingFit p = fit_ping(ping, link);
  CHECK(p.wire == Approx(4.952e-6));
  CHECK(p.send_overhead == Approx(130.024e-6));
  CHECK(p.recv_overhead == Approx(130.024e-6));
}

TEST_CASE("bad tool outputs are reported where they are wrong") {
  TempDir dir;
  BenchContext context;
  context.node_types_file = std::string(SHARDSIM_SOURCE_DIR) + "/topologies/pi-nodes.toml";
  context.node_type = "pi5-8gb";
  SECTION("ping's text given as llama-bench JSON") {
    check_error(input_error([&] { read_llama_bench(data("ping-pi5.txt")); }), data("ping-pi5.txt"), 1, 1,
                {"not valid JSON"});
  }
  SECTION("iperf3's object given as llama-bench's array") {
    check_error(input_error([&] { read_llama_bench(data("iperf3-pi5.json")); }), data("iperf3-pi5.json"), 1, 1,
                {"an array of tests"});
  }
  SECTION("a model shardsim does not know") {
    const std::string f = dir.write("b.json", R"([
 {"model_filename": "m.gguf", "model_type": "llama 3B Q4_0", "model_size": 1900000000,
  "model_n_params": 3212749824, "n_prompt": 0, "n_gen": 128, "avg_ts": 5.0}
])");
    check_error(input_error([&] { fit_llama_bench(f, context); }), f, 2, 2,
                {"unknown model 'llama 3B Q4_0'", "--transformer"});
  }
  SECTION("a weight type shardsim has no format for") {
    const std::string f = dir.write("b.json", R"([
 {"model_filename": "m.gguf", "model_type": "llama 7B Q4_K - Medium", "model_size": 4080000000,
  "model_n_params": 6738415616, "n_prompt": 0, "n_gen": 128, "avg_ts": 2.0}
])");
    check_error(input_error([&] { fit_llama_bench(f, context); }), f, 2, 2, {"Q4_K - Medium", "weights=FORMAT"});
  }
  SECTION("a missing field") {
    const std::string f = dir.write("b.json", "[\n  {\"model_type\": \"llama 7B Q4_0\"}\n]\n");
    check_error(input_error([&] { read_llama_bench(f); }), f, 2, 3, {"missing field 'model_filename'"});
  }
  SECTION("an iperf3 run that failed") {
    const std::string f = dir.write("i.json", "{\n \"start\": {},\n \"error\": \"unable to connect to server\"\n}\n");
    check_error(input_error([&] { read_iperf3(f); }), f, 3, 11, {"unable to connect"});
  }
  SECTION("a ping without its summary") {
    const std::string f = dir.write("p.txt", "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n");
    const auto e = input_error([&] { read_ping(f); });
    CHECK(e.pos().file == f);
    CHECK_THAT(e.message(), Catch::Matchers::Contains("no summary line"));
  }
}
