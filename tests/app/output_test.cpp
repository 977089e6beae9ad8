// Machine-readable output (issue 15, item 3): shortest round-trip numbers, schema_version, every JSON field
// documented, compare --format json|csv, presets listing every kind with where it is defined.
#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <string>

#include "cli_run.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using shardsim::testing::cli;
using shardsim::testing::Outcome;
using shardsim::testing::slurp;

namespace {
const std::string kSeed = SHARDSIM_SOURCE_DIR "/scenarios/seed-layer-4-batch6.toml";
const std::string kStar4 = SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-4.toml";
const std::string kStar128 = SHARDSIM_SOURCE_DIR "/topologies/pi4-4gb-star-128.toml";
}  // namespace

TEST_CASE("JSON report: schema_version first, numbers in shortest round-trip form") {
  const Outcome o = cli({"run", kSeed, "--format", "json"});
  REQUIRE(o.code == 0);
  CHECK_THAT(o.out, Catch::StartsWith("{\n    \"schema_version\" : 1,\n    \"scenario\" : "));
  // The layer takes 1466066239 ps (tests/golden/seed-layer-4-batch6.txt) = 0.001466066239 s exactly in decimal;
  // %.17g wrote 0.0014660662389999999. The critical path's latency part is 9 us (two hops... of 4.5 us): 9e-06.
  CHECK_THAT(o.out, Catch::Contains("\"duration_s\" : 0.001466066239,"));
  // The root's uplink is busy 316.512 us: with ps * 1e-12 it was 0.00031651199999999997.
  CHECK_THAT(o.out, Catch::Contains("\"busy_s\" : 0.000316512,"));
  CHECK_THAT(o.out, Catch::Contains("\"cp_latency\" : 9e-06,"));
  // No number anywhere with 16 or more significant digits after a run of 9s or 0s: the noise of %.17g.
  CHECK_FALSE(std::regex_search(o.out, std::regex("[0-9](9{6}|0{6})[0-9]+[1-9]")));
}

TEST_CASE("JSON report: every field is documented in README with its unit") {
  const std::string readme = slurp(SHARDSIM_SOURCE_DIR "/README.md");
  const auto section = readme.find("### JSON report");
  REQUIRE(section != std::string::npos);
  const std::string json_doc = readme.substr(section, readme.find("\n### ", section + 1) - section);
  // A generation (decode figures) and a training step (step figures) between them have every field.
  for (const std::string scenario : {"llama2-7b-pi4-8gb-chat", "tinyllama-desktop-2-dp2"}) {
    const Outcome o = cli({"run", SHARDSIM_SOURCE_DIR "/scenarios/" + scenario + ".toml", "--format", "json"});
    REQUIRE(o.code == 0);
    const std::regex key("\"([a-z0-9_]+)\" :");
    std::set<std::string> keys;
    for (auto it = std::sregex_iterator(o.out.begin(), o.out.end(), key); it != std::sregex_iterator(); ++it) {
      keys.insert((*it)[1]);
    }
    CHECK(keys.size() > 60);
    for (const std::string& k : keys) {
      INFO("field " << k);
      // A metric is covered by the units paragraph through its name or its family (cp_*, *_bytes, ...).
      const bool named = json_doc.find("`" + k + "`") != std::string::npos;
      const bool family = (k.rfind("cp_", 0) == 0 && json_doc.find("`cp_*`") != std::string::npos) ||
                          (k.rfind("decode_latency_", 0) == 0 && json_doc.find("`decode_latency_*`") != std::string::npos) ||
                          (k.rfind("step_", 0) == 0 && json_doc.find("`step_*`") != std::string::npos) ||
                          (k.size() > 6 && k.substr(k.size() - 6) == "_bytes" && json_doc.find("`*_bytes`") != std::string::npos) ||
                          (k.size() > 9 && k.substr(k.size() - 9) == "_elements" && json_doc.find("`*_elements`") != std::string::npos) ||
                          (k.find("_params") != std::string::npos && json_doc.find("`*_params*`") != std::string::npos);
      CHECK((named || family));
    }
  }
}

TEST_CASE("compare --format csv and json: one row / run per topology, exact numbers") {
  const Outcome csv = cli({"compare", kSeed, "--topology", kStar4, "--topology", kStar128, "--format", "csv"});
  REQUIRE(csv.code == 0);
  CHECK_THAT(csv.out, Catch::StartsWith("topology,topology_nodes,topology_switches,topology_links,nodes,total_params,"));
  // The plan uses 4 nodes on either star: the same 1.466066239 ms and 129024 payload bytes in both rows.
  CHECK_THAT(csv.out, Catch::Contains("\n" + kStar4 + ",4,1,4,4,2097152,"));
  CHECK_THAT(csv.out, Catch::Contains("\n" + kStar128 + ",128,1,128,4,2097152,"));
  CHECK(testing::count(csv.out, ",0.001466066239,") == 2);
  CHECK(testing::count(csv.out, "\n") == 3);
  const Outcome json = cli({"compare", kSeed, "--topology", kStar4, "--topology", kStar128, "--format", "json"});
  REQUIRE(json.code == 0);
  CHECK_THAT(json.out, Catch::StartsWith("{\n    \"schema_version\" : 1,\n    \"scenario\" : \"" + kSeed + "\",\n"));
  CHECK(testing::count(json.out, "\"topology\" : ") == 2);
  CHECK(testing::count(json.out, "\"token_latency\" : 0.001466066239,") == 2);
  CHECK(cli({"compare", kSeed, "--topology", kStar4, "--format", "xml"}).code == 2);
}

TEST_CASE("compare: an error names the topology it came from") {
  // 8 nodes asked for, the 4-node star has 4: the scenario's own line is the same for every column.
  const Outcome o = cli({"compare", kSeed, "--set", "plan.nodes=8", "--topology", kStar128, "--topology", kStar4});
  CHECK(o.code == 2);
  CHECK_THAT(o.err, Catch::Contains("(with --topology " + kStar4 + ")"));
}

TEST_CASE("presets: every kind, with usable RAM and the file that declares each node type") {
  const Outcome o = cli({"presets", "--dir", SHARDSIM_SOURCE_DIR "/topologies"});
  REQUIRE(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("(--dir)"));
  // The nine transformer presets; before, none was listed. Llama 2 7B: 6.738 B parameters (its config), 4096 context.
  for (const char* name : {"gpt3-175b", "llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b",
                           "llama3.1-405b", "mixtral-8x7b", "tinyllama-1.1b"}) {
    CHECK_THAT(o.out, Catch::Contains(std::string("\n  ") + name + " "));
  }
  CHECK_THAT(o.out, Catch::Contains("llama2-7b              6.738 B params,  32 layers, context   4096, fp16"));
  CHECK_THAT(o.out, Catch::Contains("built in: src/workload/transformer_preset.cpp"));
  // pi5-8gb: 8 GiB = 8.590 GB with a 600 MB reserve for the OS: 7.990 GB usable; declared in pi-nodes.toml
  // (line 85 of topologies/pi-nodes.toml; before: the first file that included it, alphabetically).
  CHECK_THAT(o.out, Catch::Contains("pi5-8gb              8.590 GB   7.990 GB  11.600 GB/s    35 GFLOP/s"));
  CHECK_THAT(o.out, Catch::Contains("pi-nodes.toml:85"));
  CHECK_THAT(o.out, Catch::Contains("pi5-16gb-nvme       16.000 GB  15.000 GB"));
  CHECK_THAT(o.out, Catch::Contains("pi5-1-nvme.toml:5"));
  CHECK(cli({"presets", "--dir", "/nonexistent"}).code == 2);
}

TEST_CASE("format names in any case") {
  const Outcome o = cli({"run", kSeed, "--format", "JSON"});
  REQUIRE(o.code == 0);
  CHECK_THAT(o.out, Catch::StartsWith("{\n    \"schema_version\" : 1,"));
  const Outcome bad = cli({"run", kSeed, "--format", "Yaml"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("got 'Yaml'"));
}

TEST_CASE("a context above the model's max_context is a warning in both reports") {
  // Llama 2 7B was trained on 4096 positions (its config's max_position_embeddings); before, 10000 ran silently.
  const std::string scenario = SHARDSIM_SOURCE_DIR "/scenarios/llama2-7b-pi4-8gb-tensor-4.toml";
  const Outcome text = cli({"run", scenario, "--set", "run.context=10000"});
  REQUIRE(text.code == 0);
  CHECK_THAT(text.out, Catch::Contains("\nWARNING   context 10000 tokens is above the model's max_context 4096"));
  const Outcome json = cli({"run", scenario, "--set", "run.context=10000", "--format", "json"});
  CHECK_THAT(json.out, Catch::Contains("\"warnings\" : [\n        \"context 10000 tokens is above the model's "
                                       "max_context 4096"));
  const Outcome fine = cli({"run", scenario, "--format", "json"});
  CHECK_THAT(fine.out, Catch::Contains("\"warnings\" : [],"));
}
