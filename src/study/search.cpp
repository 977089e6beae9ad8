// Running a search (search.hpp): requirements, the three prunes, the ranking and the Pareto fronts.

#include "shardsim/study/search.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>

#include "parallel_for.hpp"
#include "shardsim/collective/collective_spec.hpp"
#include "shardsim/exec/executor.hpp"
#include "shardsim/exec/generation.hpp"
#include "shardsim/scenario/plan_candidate.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/util/json_text.hpp"
#include "shardsim/util/metric.hpp"
#include "shardsim/util/unit_parse.hpp"

namespace shardsim::study {
namespace {

[[noreturn]] void bad_requirement(const std::string& text, const std::string& message) {
  throw InputError(SourcePos{"--require " + text, 0, 0}, message);
}

std::size_t metric_named(const std::string& name, const std::string& context) {
  const auto i = metric_index(name);
  if (!i) bad_requirement(context, "unknown metric '" + name + "' (the metric table in README lists them)");
  return *i;
}

// A value in the metric's base unit: a time ("30s", "250 ms"), a size, or a plain number.
double requirement_value(const MetricInfo& info, const std::string& text, const std::string& context) {
  try {
    if (info.unit == MetricUnit::seconds) return parse_time(text).seconds();
    if (info.unit == MetricUnit::bytes) return static_cast<double>(parse_bytes(text).count);
  } catch (const UnitError& e) {
    bad_requirement(context, e.what());
  }
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    bad_requirement(context, "expected a number after the comparison, got '" + text + "'");
  }
  return v;
}

bool lower_is_better(const MetricInfo& info) {
  return info.unit == MetricUnit::seconds || info.unit == MetricUnit::bytes || info.name == "cluster_price" ||
         info.name == "average_power" || info.name == "energy_per_token" || info.name == "nodes" ||
         info.name == "transfers";
}

bool meets(const Requirement& r, double value) { return r.at_least ? value >= r.value : value <= r.value; }

double figure(const Outcome& o, std::string_view name) { return o.figures.at(*metric_index(name)); }

// The candidates (simulated, meeting every requirement) on the front of tokens/s against `cost` (less is better):
// sorted by cost, each with more tokens/s than every cheaper one. A cost of 0 is unknown (no figures): left out.
std::vector<std::size_t> front(const SearchResult& r, std::string_view cost) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    if (r.outcomes[i].meets && figure(r.outcomes[i], cost) > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double ca = figure(r.outcomes[a], cost), cb = figure(r.outcomes[b], cost);
    if (ca != cb) return ca < cb;
    return figure(r.outcomes[a], "tokens_per_second") > figure(r.outcomes[b], "tokens_per_second");
  });
  std::vector<std::size_t> out;
  double best = -1;
  for (const std::size_t i : order) {
    const double tps = figure(r.outcomes[i], "tokens_per_second");
    if (tps > best) {
      out.push_back(i);
      best = tps;
    }
  }
  return out;
}

// Whether two plans split alike: the same layers per stage, and per-rank weights in the same proportions.
bool same_split(const plan::PlanSpec& a, const plan::PlanSpec& b) {
  if (a.stage_layers != b.stage_layers || a.rank_weights.size() != b.rank_weights.size()) return false;
  double sa = 0, sb = 0;
  for (std::size_t i = 0; i < a.rank_weights.size(); ++i) {
    sa += a.rank_weights[i];
    sb += b.rank_weights[i];
  }
  for (std::size_t i = 0; i < a.rank_weights.size(); ++i) {
    if (std::abs(a.rank_weights[i] / sa - b.rank_weights[i] / sb) > 1e-12) return false;
  }
  return true;
}

// Whether every node the plan uses can stream weights from storage.
bool has_storage(const scenario::Scenario& s, const plan::PlanSpec& spec) {
  for (int r = 0; r < spec.nodes; ++r) {
    if (!s.topology.node(plan::node_of_rank(spec, r)).storage_bandwidth) return false;
  }
  return true;
}

// Why the plan's nodes cannot hold the transformer's weights even once between them (their usable RAM added up
// against every parameter in the weight format; every plan holds each weight at least once), or none.
std::optional<std::string> weights_exceed_ram(const scenario::Scenario& s, const plan::PlanSpec& spec) {
  if (!s.transformer) return std::nullopt;
  const Bytes weights = hw::bytes_for(s.transformer->weight_format, workload::param_counts(*s.transformer).total());
  Bytes ram{0};
  for (int r = 0; r < spec.nodes; ++r) ram = ram + s.topology.node(plan::node_of_rank(spec, r)).usable_ram();
  if (weights <= ram) return std::nullopt;
  return "the nodes' usable RAM (" + format_bytes(ram) + ") is less than the weights (" + format_bytes(weights) + ")";
}

// Judges one candidate: refused by its strategy, pruned by a closed form, or simulated.
Outcome judge(const scenario::Scenario& s, const SearchOptions& options, const Candidate& c) {
  Outcome o;
  plan::PlanSpec spec;
  try {
    spec = scenario::read_candidate_plan(s, c.plan_toml);
  } catch (const InputError& e) {
    o.reason = e.message();
    return o;
  }
  o.nodes = spec.nodes;
  // A plan that runs no collective is the same plan whatever plan.collective says: simulated once, with the
  // first algorithm (the candidates name them in algorithm_names() order).
  if (spec.algorithm_given && spec.algorithm != collective::algorithm_names().front().second &&
      plan::strategy_of(spec).collectives(model_of(s), spec, false).empty()) {
    o.verdict = Verdict::pruned;
    o.reason = "the same plan with any collective (it runs none)";
    return o;
  }
  // A split the nodes make even (alike nodes) is the even plan, tried once.
  if (c.uneven && !spec.uneven()) {
    o.verdict = Verdict::pruned;
    o.reason = "the same plan as split = \"even\" on these nodes";
    return o;
  }
  // On nodes alike in what both weigh, "speed" gives the weights "memory" gives: the same plan, tried once.
  if (const auto at = c.plan_toml.find("split = \"speed\""); at != std::string::npos) {
    std::string memory = c.plan_toml;
    memory.replace(at, std::string("split = \"speed\"").size(), "split = \"memory\"");
    bool same = false;
    try {
      same = same_split(spec, scenario::read_candidate_plan(s, memory));
    } catch (const InputError&) {
      // "memory" is refused where "speed" is not: a plan of its own
    }
    if (same) {
      o.verdict = Verdict::pruned;
      o.reason = "the same plan as split = \"memory\" on these nodes";
      return o;
    }
  }
  const std::size_t nodes_metric = *metric_index("nodes");
  const std::size_t fits_metric = *metric_index("fits");
  bool require_fits = false;
  for (const Requirement& r : options.requirements) {
    if (r.metric == nodes_metric && !meets(r, spec.nodes)) {
      o.verdict = Verdict::pruned;
      o.reason = "uses " + std::to_string(spec.nodes) + " nodes (" + r.text + ")";
      return o;
    }
    require_fits = require_fits || (r.metric == fits_metric && r.at_least && r.value > 0);
  }
  // Closed form before building the plan: the nodes together must hold every weight at least once.
  if (std::optional<std::string> why = weights_exceed_ram(s, spec); why && (require_fits || !has_storage(s, spec))) {
    o.verdict = Verdict::pruned;
    o.reason = *why;
    return o;
  }
  const plan::PlannedWorkload planned = plan_scenario(s, spec);
  bool fits = true, storage = true;
  for (std::size_t i = 0; i < planned.footprint.size(); ++i) {
    const hw::NodeSpec& node = s.topology.node(planned.nodes[i]);
    fits = fits && planned.footprint[i].total() <= node.usable_ram();
    storage = storage && node.storage_bandwidth.has_value();
  }
  if (!fits && (require_fits || !storage)) {
    o.verdict = Verdict::pruned;
    o.reason = "does not fit in the nodes' usable RAM";
    return o;
  }
  exec::RunStats stats = exec::execute(s.topology, planned.graph, s.network);
  std::optional<exec::Generation> generation;
  if (s.run.generates()) {
    generation = exec::run_generation(s.topology, s.network, model_of(s), spec, s.run);
    generation->decode.push_back(stats.token_latency);
  }
  report::RunInputs inputs{s.path, s.topology_path, s.model_preset, &s.topology, s.model,
                           spec,   s.run,           s.network,      s.transformer};
  const report::Result result = report::make_result(std::move(inputs), planned, std::move(stats), std::move(generation));
  o.verdict = Verdict::simulated;
  o.figures = result.figures;
  if (result.power.price) o.currency = result.power.price->currency;
  o.meets = std::all_of(options.requirements.begin(), options.requirements.end(),
                        [&](const Requirement& r) { return meets(r, o.figures.at(r.metric)); });
  return o;
}

}  // namespace

Requirement parse_requirement(const std::string& text, const scenario::Scenario& scenario) {
  Requirement r;
  r.text = text;
  const auto ge = text.find(">="), le = text.find("<=");
  std::string name;
  if (ge == std::string::npos && le == std::string::npos) {
    name = text;
    r.metric = metric_named(name, text);
    if (metric_catalog()[r.metric].unit != MetricUnit::flag) {
      bad_requirement(text, "'" + name + "' is not a flag: write " + name + ">=VALUE or " + name + "<=VALUE");
    }
    r.value = 1;
  } else {
    const auto at = ge != std::string::npos ? ge : le;
    r.at_least = ge != std::string::npos;
    name = text.substr(0, at);
    r.metric = metric_named(name, text);
    r.value = requirement_value(metric_catalog()[r.metric], text.substr(at + 2), text);
  }
  if (generation_metric(name) && !scenario.run.generates()) {
    bad_requirement(text, "only a generation has " + name + "; give run.prompt_tokens and run.generated_tokens");
  }
  if (training_metric(name) || scenario.run.training) {
    bad_requirement(text, "search explores inference plans; a training step is not searched yet");
  }
  return r;
}

SearchOptions search_options(const scenario::Scenario& scenario, const std::vector<std::string>& requirements,
                             const std::string& rank, unsigned jobs) {
  if (scenario.run.training) {
    throw InputError(SourcePos{scenario.path, 0, 0}, "search explores inference plans; a training step ([train]) "
                                                     "is not searched yet");
  }
  SearchOptions o;
  for (const std::string& text : requirements) o.requirements.push_back(parse_requirement(text, scenario));
  const auto i = metric_index(rank);
  if (!i) throw InputError(SourcePos{"--rank " + rank, 0, 0}, "unknown metric '" + rank + "'");
  if (generation_metric(rank) && !scenario.run.generates()) {
    throw InputError(SourcePos{"--rank " + rank, 0, 0}, "only a generation has " + rank);
  }
  o.rank_metric = *i;
  o.rank_lower_is_better = lower_is_better(metric_catalog()[*i]);
  o.jobs = std::max(jobs, 1u);
  return o;
}

namespace {

// The best candidate and the fronts, from the outcomes.
void conclude(SearchResult& r, const SearchOptions& options) {
  // The best: first by the ranked figure, then fewer nodes, a lower price, then the candidate's order.
  const std::size_t price = *metric_index("cluster_price");
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const Outcome& o = r.outcomes[i];
    if (!o.meets) continue;
    if (!r.best) {
      r.best = i;
      continue;
    }
    const Outcome& b = r.outcomes[*r.best];
    const double v = o.figures[options.rank_metric], bv = b.figures[options.rank_metric];
    const bool better = v != bv ? (options.rank_lower_is_better ? v < bv : v > bv)
                        : o.nodes != b.nodes ? o.nodes < b.nodes
                                             : o.figures[price] < b.figures[price];
    if (better) r.best = i;
  }
  r.front_nodes = front(r, "nodes");
  r.front_price = front(r, "cluster_price");
  r.front_power = front(r, "average_power");
}

// Judges the candidates at `indices` into r.outcomes on the options' threads.
void judge_all(const scenario::Scenario& s, const SearchOptions& options, const std::vector<std::size_t>& indices,
               SearchResult& r, const SearchProgress& progress) {
  std::mutex mutex;
  std::size_t done = 0;
  parallel_for(indices.size(), options.jobs, [&](std::size_t k) {
    const std::size_t i = indices[k];
    r.outcomes[i] = judge(s, options, r.candidates[i]);
    if (progress) {
      const std::lock_guard<std::mutex> lock(mutex);
      progress(++done, indices.size());
    }
  });
}

constexpr const char* kVerdicts[] = {"refused", "pruned", "simulated"};

}  // namespace

SearchResult run_search(const scenario::Scenario& s, const SearchOptions& options, const SearchProgress& progress) {
  SearchResult r;
  r.candidates = enumerate_candidates(s);
  r.outcomes.resize(r.candidates.size());
  std::vector<std::size_t> all(r.candidates.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  judge_all(s, options, all, r, progress);
  conclude(r, options);
  return r;
}

table::Table search_slice(const scenario::Scenario& s, const SearchOptions& options, Shard shard,
                          const SearchProgress& progress) {
  SearchResult r;
  r.candidates = enumerate_candidates(s);
  r.outcomes.resize(r.candidates.size());
  const std::vector<std::size_t> indices = shard_points(r.candidates.size(), shard);
  judge_all(s, options, indices, r, progress);
  table::Table t;
  t.header = {"point", "plan", "verdict", "reason", "currency"};
  for (const MetricInfo& m : metric_catalog()) t.header.emplace_back(m.name);
  using Kind = table::Cell::Kind;
  for (const std::size_t i : indices) {
    const Outcome& o = r.outcomes[i];
    std::vector<table::Cell> row{{Kind::number, std::to_string(i)},
                                 {Kind::string, r.candidates[i].label},
                                 {Kind::string, kVerdicts[static_cast<int>(o.verdict)]},
                                 {Kind::string, o.reason},
                                 {Kind::string, o.currency}};
    for (std::size_t m = 0; m < metric_catalog().size(); ++m) {
      if (o.verdict != Verdict::simulated) {
        row.push_back({Kind::string, ""});
      } else {
        // Exact: 17 significant digits, so that the merged search ranks exactly as an unsharded one.
        row.push_back({Kind::number, json_number(o.figures[m])});
      }
    }
    if (o.verdict != Verdict::simulated) row[5 + *metric_index("nodes")] = {Kind::number, std::to_string(o.nodes)};
    t.rows.push_back(std::move(row));
  }
  return t;
}

SearchResult search_from_table(const scenario::Scenario& s, const SearchOptions& options,
                               const table::TableFile& merged, const std::string& file) {
  SearchResult r;
  r.candidates = enumerate_candidates(s);
  r.outcomes.resize(r.candidates.size());
  const std::size_t first_metric = 5;
  if (merged.header.size() != first_metric + metric_catalog().size() || merged.header[1] != "plan") {
    throw InputError(SourcePos{file, 1, 1}, "not a table written by `shardsim search --shard` (its columns differ)");
  }
  if (merged.records.size() != r.candidates.size()) {
    throw InputError(SourcePos{file, 1, 1}, "holds " + std::to_string(merged.records.size()) + " plans; this " +
                                                "scenario has " + std::to_string(r.candidates.size()) +
                                                " candidates (merge every slice, of the same scenario and --set)");
  }
  for (std::size_t i = 0; i < merged.records.size(); ++i) {
    const table::TableFile::Record& rec = merged.records[i];
    const SourcePos at{file, rec.line, 1};
    if (rec.cells[0] != std::to_string(i) || rec.cells[1] != r.candidates[i].label) {
      throw InputError(at, "row " + std::to_string(i) + " is not this scenario's candidate " + std::to_string(i) +
                               " ('" + r.candidates[i].label + "')");
    }
    Outcome& o = r.outcomes[i];
    const auto verdict = std::find(std::begin(kVerdicts), std::end(kVerdicts), rec.cells[2]);
    if (verdict == std::end(kVerdicts)) throw InputError(at, "unknown verdict '" + rec.cells[2] + "'");
    o.verdict = static_cast<Verdict>(verdict - std::begin(kVerdicts));
    o.reason = rec.cells[3];
    o.currency = rec.cells[4];
    try {
      o.nodes = std::stoi(rec.cells[first_metric + *metric_index("nodes")]);
      if (o.verdict == Verdict::simulated) {
        for (std::size_t m = 0; m < metric_catalog().size(); ++m) {
          o.figures.push_back(std::stod(rec.cells[first_metric + m]));
        }
      }
    } catch (const std::exception&) {
      throw InputError(at, "a figure is not a number");
    }
    o.meets = o.verdict == Verdict::simulated &&
              std::all_of(options.requirements.begin(), options.requirements.end(),
                          [&](const Requirement& q) { return meets(q, o.figures.at(q.metric)); });
  }
  conclude(r, options);
  return r;
}

}  // namespace shardsim::study
