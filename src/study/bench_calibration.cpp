#include "shardsim/study/bench_calibration.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "shardsim/study/bench_files.hpp"
#include "shardsim/workload/transformer_preset.hpp"

namespace shardsim::study {
namespace {
namespace fs = std::filesystem;

// A folder of its own under the system's temporary folder, removed when this goes away: the one-node scenario a
// llama-bench test is simulated on lives there (scenario files name their topology by path).
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "shardsim-calibrate-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw InputError(SourcePos{pattern, 0, 0}, "cannot create a temporary folder");
    path_ = pattern;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

// llama.cpp's weight type names (the last words of model_type: "Q4_0", "mostly Q4_0" in older builds, "F16") as
// shardsim's number formats; none for the k-quants and the rest, which shardsim does not model.
std::optional<hw::NumberFormat> weight_format_of(const std::string& model_type) {
  static constexpr std::pair<std::string_view, hw::NumberFormat> kTypes[] = {
      {"Q4_0", hw::NumberFormat::q4_0}, {"Q8_0", hw::NumberFormat::q8_0}, {"F16", hw::NumberFormat::fp16},
      {"BF16", hw::NumberFormat::bf16}, {"F32", hw::NumberFormat::fp32}, {"all F32", hw::NumberFormat::fp32}};
  for (const auto& [name, format] : kTypes) {
    if (model_type.ends_with(" " + std::string(name))) return format;
  }
  return std::nullopt;
}

// The transformer preset whose parameter count is within 2 % of the file's (llama.cpp counts every tensor of the
// GGUF file, shardsim every weight and norm of its spec: the same model agrees to well under 1 %).
std::optional<std::string> preset_of(double n_params) {
  std::optional<std::string> best;
  double best_error = 0.02;
  for (const workload::TransformerPreset& p : workload::transformer_presets()) {
    const double error = std::abs(static_cast<double>(workload::param_counts(p.spec).total()) / n_params - 1);
    if (error < best_error) {
      best_error = error;
      best = std::string(p.name);
    }
  }
  return best;
}

std::string percent_text(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %%", 100 * ratio);
  return text;
}

}  // namespace

LlamaBenchFit fit_llama_bench(const std::string& path, const BenchContext& context) {
  const std::vector<LlamaBenchTest> tests = read_llama_bench(path);
  const LlamaBenchTest& first = tests.front();
  for (const LlamaBenchTest& t : tests) {
    if (t.model_type != first.model_type || t.model_n_params != first.model_n_params) {
      throw InputError(t.pos, "llama-bench: a second model ('" + t.model_type + "' after '" + first.model_type +
                                  "'): calibrate from one model's tests at a time");
    }
  }
  if (context.node_type.empty()) {
    throw InputError(SourcePos{"--node-type", 0, 0},
                     "name the node type the llama-bench tests ran on (e.g. --node-type pi5-8gb)");
  }
  LlamaBenchFit out;
  std::string transformer;
  // --transformer weights=FORMAT names the format of the weights (instead of the file's model type).
  std::optional<hw::NumberFormat> user_weights;
  for (const std::string& key : context.transformer) {
    if (!key.starts_with("weights=")) continue;
    std::string value = key.substr(8);
    std::erase(value, '"');
    user_weights = hw::parse_number_format(value);
    if (!user_weights) {
      throw InputError(SourcePos{"--transformer " + key, 0, 0}, "unknown number format '" + value + "'");
    }
  }
  const std::optional<hw::NumberFormat> format = weight_format_of(first.model_type);
  if (!format && !user_weights) {
    throw InputError(first.pos, "llama-bench: shardsim has no number format for the weights of '" + first.model_type +
                                    "' (it models q4_0, q8_0, fp16, bf16 and fp32); give the nearest with "
                                    "--transformer weights=FORMAT");
  }
  if (context.transformer.empty()) {
    const auto preset = preset_of(first.model_n_params);
    if (!preset) {
      char params[32];
      std::snprintf(params, sizeof params, "%.4g", first.model_n_params);
      throw InputError(first.pos, "llama-bench: unknown model '" + first.model_type + "' (" + params +
                                      " parameters): no transformer preset has that many within 2 %; give its "
                                      "dimensions or a preset with --transformer key=value");
    }
    out.model = *preset;
    transformer = "preset = \"" + *preset + "\"\n";
  } else {
    out.model = "--transformer";
  }
  const hw::NumberFormat weights = user_weights ? *user_weights : *format;
  transformer += "weights = \"" + std::string(hw::to_string(weights)) + "\"\n";
  // llama.cpp multiplies q4_0 and q8_0 weights by activations quantized to q8_0 (ggml's vec_dot_type).
  const bool quantized = weights == hw::NumberFormat::q4_0 || weights == hw::NumberFormat::q8_0;
  if (quantized) transformer += "activations = \"q8_0\"\n";

  const ScratchDir scratch;
  scratch.write("one-node.toml", "include = [\"" + fs::absolute(context.node_types_file).string() +
                                     "\"]\n[[star]]\nnodes = 1\nnode_type = \"" + context.node_type +
                                     "\"\nbandwidth = \"1 Gbit/s\"\n");
  const std::string scenario = scratch.write(
      "llama-bench.toml", "topology = \"one-node.toml\"\n[transformer]\n" + transformer +
                              "[plan]\nstrategy = \"tensor\"\nnodes = 1\n");

  FitRequest request;
  request.file = path;
  request.node_type = context.node_type;
  request.jobs = context.jobs;
  bool pp = false, tg = false;
  for (const LlamaBenchTest& t : tests) {
    MeasuredRun run;
    run.scenario = scenario;
    run.pos = t.pos;
    char label[96];
    if (t.n_gen > 0) {
      tg = true;
      run.sets = {"run.context=" + std::to_string(t.n_depth + std::max(1L, t.n_gen / 2))};
      run.measured = 1 / t.avg_ts;
      std::snprintf(label, sizeof label, "tg%ld%s: %.4g tokens/s", t.n_gen,
                    t.n_depth ? (" @ d" + std::to_string(t.n_depth)).c_str() : "", t.avg_ts);
    } else {
      pp = true;
      run.sets = {"run.prompt_tokens=" + std::to_string(t.n_prompt), "run.generated_tokens=2"};
      run.metric = "time_to_first_token";
      run.measured = static_cast<double>(t.n_prompt) / t.avg_ts;
      std::snprintf(label, sizeof label, "pp%ld: %.4g tokens/s", t.n_prompt, t.avg_ts);
    }
    run.label = label;
    request.runs.push_back(std::move(run));
  }
  if (tg) request.fields.push_back("memory_bandwidth");
  if (pp) request.fields.push_back("prefill_rates." + std::string(hw::to_string(weights)));
  for (const std::string& key : context.transformer) {
    if (!key.starts_with("weights=")) request.base.push_back("transformer." + key);
  }
  out.fit = fit_measured(request);

  for (const FittedField& f : out.fit.fields) {
    if (!f.determined) continue;
    const bool from_tg = f.field.name == "memory_bandwidth";
    std::string tests_text;
    for (const RowFit& row : out.fit.rows) {
      if ((row.label.starts_with("tg")) == from_tg) tests_text += (tests_text.empty() ? "" : ", ") + row.label;
    }
    out.fields.push_back(CalibratedField{
        out.fit.node_type, f.field, f.value,
        {"llama-bench " + path + ": " + first.model_type + " as " + out.model + ", " + tests_text + ";",
         std::string(from_tg ? "the decode step simulated at the tests' mean context" : "the prefill simulated") +
             " reproduces them (rms residual " + percent_text(out.fit.rms) + "); the preset was " +
             field_display(f.field, f.preset)}});
  }
  return out;
}

Iperf3Fit fit_iperf3(const Iperf3Result& result, const LinkContext& link) {
  Iperf3Fit fit;
  fit.goodput = result.bits_per_second / 8;
  fit.efficiency = fit.goodput / link.bandwidth;
  if (fit.efficiency >= 1) {
    throw InputError(result.pos, "iperf3: the goodput is not below the link's bandwidth: give the link's nominal "
                                 "bandwidth with --link-bandwidth");
  }
  fit.frame_overhead = link.mtu * (1 / fit.efficiency - 1);
  return fit;
}

PingFit fit_ping(const PingResult& result, const LinkContext& link) {
  // An echo request's frame: the ICMP payload, 8 bytes of ICMP header, 20 of IPv4, 14 of Ethernet header and 4 of
  // FCS, with the 8-byte preamble and 12-byte inter-frame gap that occupy the wire too (IEEE 802.3). A switch
  // stores and forwards, so the frame is serialized once per hop.
  const double frame = static_cast<double>(result.payload_bytes) + 8 + 20 + 14 + 4 + 8 + 12;
  PingFit fit;
  fit.wire = link.hops * (frame / link.bandwidth + link.link_latency) + (link.hops - 1) * link.forwarding_latency;
  fit.per_message = result.avg / 2 - fit.wire;
  if (fit.per_message <= 0) {
    throw InputError(result.pos, "ping: the round trip is shorter than the wire alone; check --link-bandwidth, "
                                 "--hops and the latencies");
  }
  fit.send_overhead = fit.per_message / 2;
  fit.recv_overhead = fit.per_message / 2;
  return fit;
}

}  // namespace shardsim::study
