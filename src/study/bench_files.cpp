#include "shardsim/study/bench_files.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "shardsim/util/json_value.hpp"

namespace shardsim::study {
namespace {

const JsonValue& member(const JsonValue& object, std::string_view key, const std::string& what) {
  const JsonValue* v = object.find(key);
  if (!v) throw InputError(object.pos, what + ": missing field '" + std::string(key) + "'");
  return *v;
}

double number(const JsonValue& object, std::string_view key, const std::string& what) {
  const JsonValue& v = member(object, key, what);
  if (v.kind != JsonValue::Kind::number) throw InputError(v.pos, what + ": '" + std::string(key) + "' is not a number");
  return v.number;
}

std::string text(const JsonValue& object, std::string_view key, const std::string& what) {
  const JsonValue& v = member(object, key, what);
  if (v.kind != JsonValue::Kind::string) throw InputError(v.pos, what + ": '" + std::string(key) + "' is not a string");
  return v.string;
}

}  // namespace

// llama.cpp's tools/llama-bench/README.md, "Output formats / JSON": `-o json` prints an array of one object per
// test with, among others, model_filename, model_type ("qwen2 7B Q4_K - Medium"), model_size (bytes),
// model_n_params, n_prompt, n_gen, n_depth, avg_ns, avg_ts (tokens/s) and samples_ts.
std::vector<LlamaBenchTest> read_llama_bench(const std::string& path) {
  const JsonValue doc = read_json_file(path);
  const std::string what = "llama-bench -o json";
  if (doc.kind != JsonValue::Kind::array) {
    throw InputError(doc.pos, "expected the output of llama-bench -o json: an array of tests");
  }
  std::vector<LlamaBenchTest> tests;
  for (const JsonValue& t : doc.items) {
    if (t.kind != JsonValue::Kind::object) throw InputError(t.pos, what + ": expected an object per test");
    LlamaBenchTest test;
    test.pos = t.pos;
    test.model_filename = text(t, "model_filename", what);
    test.model_type = text(t, "model_type", what);
    test.model_size = number(t, "model_size", what);
    test.model_n_params = number(t, "model_n_params", what);
    test.n_prompt = static_cast<long>(number(t, "n_prompt", what));
    test.n_gen = static_cast<long>(number(t, "n_gen", what));
    test.n_depth = t.find("n_depth") ? static_cast<long>(number(t, "n_depth", what)) : 0;
    test.avg_ts = number(t, "avg_ts", what);
    if (!(test.avg_ts > 0)) throw InputError(member(t, "avg_ts", what).pos, what + ": avg_ts must be positive");
    if ((test.n_prompt > 0) == (test.n_gen > 0)) {
      throw InputError(t.pos, what + ": a test that both processes a prompt and generates (-pg) mixes the two rates; "
                                     "run pp and tg tests apart (-p N -n 0, -p 0 -n N)");
    }
    tests.push_back(std::move(test));
  }
  if (tests.empty()) throw InputError(doc.pos, what + ": no tests");
  return tests;
}

// iperf3's JSON output (-J), as its src/iperf_api.c writes it and esnet/iperf's documentation shows: a top-level
// object whose "end" holds "sum_sent" and "sum_received", each with "bits_per_second" over the whole test (for
// TCP; a UDP test has "sum" instead). The receiver's figure is what arrived.
Iperf3Result read_iperf3(const std::string& path) {
  const JsonValue doc = read_json_file(path);
  const std::string what = "iperf3 -J";
  if (doc.kind != JsonValue::Kind::object) throw InputError(doc.pos, "expected the output of iperf3 -J: an object");
  if (const JsonValue* error = doc.find("error")) {
    throw InputError(error->pos, what + ": the test failed: " + error->string);
  }
  const JsonValue& end = member(doc, "end", what);
  const JsonValue* received = end.find("sum_received");
  if (!received) received = end.find("sum");  // UDP
  if (!received) throw InputError(end.pos, what + ": missing field 'sum_received' in 'end'");
  Iperf3Result r;
  r.bits_per_second = number(*received, "bits_per_second", what);
  r.pos = member(*received, "bits_per_second", what).pos;
  if (!(r.bits_per_second > 0)) throw InputError(r.pos, what + ": bits_per_second must be positive");
  return r;
}

// ping's summary line: iputils (Linux) prints "rtt min/avg/max/mdev = 0.412/0.530/0.690/0.080 ms"
// (iputils ping/ping_common.c, finish()), BSD and macOS "round-trip min/avg/max/stddev = ... ms"; the first line,
// "PING host (addr) 56(84) bytes of data." (iputils) or "PING host (addr): 56 data bytes" (BSD), gives the payload.
PingResult read_ping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "cannot open file");
  PingResult r;
  bool found = false;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.starts_with("PING ")) {
      const auto close = line.find(") ");
      const auto colon = line.find("): ");
      long bytes = 0;
      if (close != std::string::npos && std::sscanf(line.c_str() + close + 2, "%ld(", &bytes) == 1) {
        r.payload_bytes = bytes;
      } else if (colon != std::string::npos && std::sscanf(line.c_str() + colon + 3, "%ld data", &bytes) == 1) {
        r.payload_bytes = bytes;
      }
    }
    const auto eq = line.find("min/avg/max/");
    if (eq == std::string::npos) continue;
    const auto values = line.find("= ", eq);
    double v[4] = {0, 0, 0, 0};
    char unit[8] = {0};
    if (values == std::string::npos ||
        std::sscanf(line.c_str() + values + 2, "%lf/%lf/%lf/%lf %7s", &v[0], &v[1], &v[2], &v[3], unit) != 5) {
      throw InputError(SourcePos{path, line_number, 1}, "ping: expected 'min/avg/max/mdev = a/b/c/d ms'");
    }
    const double scale = std::string(unit) == "ms" ? 1e-3 : std::string(unit) == "us" ? 1e-6 : 0;
    if (scale == 0) throw InputError(SourcePos{path, line_number, 1}, "ping: unknown time unit '" + std::string(unit) + "'");
    r.min = v[0] * scale;
    r.avg = v[1] * scale;
    r.max = v[2] * scale;
    r.mdev = v[3] * scale;
    r.pos = SourcePos{path, line_number, 1};
    found = true;
  }
  if (!found) {
    throw InputError(SourcePos{path, 0, 0}, "ping: no summary line 'rtt min/avg/max/mdev = ...' (is this the "
                                            "output of ping, run to its end with -c N?)");
  }
  if (!(r.avg > 0)) throw InputError(r.pos, "ping: the average round trip must be positive");
  return r;
}

}  // namespace shardsim::study
