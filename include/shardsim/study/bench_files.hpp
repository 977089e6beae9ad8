#pragma once
// The outputs of the tools users already run on their boards, read into what a calibration needs. Each reader
// takes the tool's documented output format (cited at each reader) and reports a file of another format, or a
// missing field, as an InputError at file:line:column.

#include <string>
#include <vector>

#include "shardsim/util/error.hpp"

namespace shardsim::study {

// One test of `llama-bench -o json`: a prompt-processing test (n_prompt > 0, n_gen = 0) or a text-generation test
// (n_gen > 0, n_prompt = 0), its model and its mean rate.
struct LlamaBenchTest {
  std::string model_filename;
  std::string model_type;  // "llama 7B Q4_0": architecture, size, weight type
  double model_size = 0;   // bytes of the weights
  double model_n_params = 0;
  long n_prompt = 0;
  long n_gen = 0;
  long n_depth = 0;        // tokens already in the context (absent before llama.cpp added -d: 0)
  double avg_ts = 0;       // tokens per second, the mean over repetitions
  SourcePos pos;           // the test's object
};
std::vector<LlamaBenchTest> read_llama_bench(const std::string& path);

// `iperf3 -J`: the throughput the receiver saw over the whole test.
struct Iperf3Result {
  double bits_per_second = 0;  // end.sum_received.bits_per_second: TCP payload (goodput)
  SourcePos pos;
};
Iperf3Result read_iperf3(const std::string& path);

// `ping` (iputils or BSD) summary: the round-trip times and the ICMP payload size.
struct PingResult {
  double min = 0, avg = 0, max = 0, mdev = 0;  // seconds
  long payload_bytes = 56;                     // "PING host (addr) 56(84) bytes of data." (-s), default 56
  SourcePos pos;                               // the rtt line
};
PingResult read_ping(const std::string& path);

}  // namespace shardsim::study
