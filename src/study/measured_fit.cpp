#include "shardsim/study/measured_fit.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "parallel_for.hpp"
#include "shardsim/scenario/scenario.hpp"
#include "shardsim/study/nelder_mead.hpp"
#include "shardsim/study/pipeline.hpp"
#include "shardsim/util/metric.hpp"

namespace shardsim::study {
namespace {

// How far from the preset a sensitivity is measured (10 %), and below what a field counts as not determined:
// a run's time moving by less than 0.01 % for the 10 % step.
constexpr double kProbe = 0.1;
constexpr double kInsensitive = 1e-3;
// A field whose sensitivities are within 5 % (in angle, about) of a combination of the fields before it adds
// nothing the runs can tell apart.
constexpr double kDependent = 0.05;

// A fraction is searched on its logit, so that any step stays inside (0, 1).
double logit(double p) {
  p = std::clamp(p, 1e-3, 1 - 1e-3);
  return std::log(p / (1 - p));
}

double value_at(const FittedField& f, double x) {
  if (f.field.kind == FieldKind::ratio) return 1 / (1 + std::exp(-(logit(f.preset) + x)));
  return f.preset * std::exp(x);
}

class Fitter {
 public:
  Fitter(const FitRequest& request, std::string type, std::vector<FittedField>& fields)
      : request_(request), type_(std::move(type)), fields_(fields) {}

  // The simulated figure of every run in `rows`, with field i at log-offset x[i] (fields_[active_[i]]).
  std::vector<double> simulate(const std::vector<std::size_t>& rows, const std::vector<std::size_t>& active,
                               const std::vector<double>& x) {
    std::vector<std::string> sets;
    for (std::size_t i = 0; i < active.size(); ++i) {
      const FittedField& f = fields_[active[i]];
      sets.push_back("topology.node_types." + type_ + "." + f.field.name + "=" +
                     field_text(f.field, value_at(f, x[i])));
    }
    std::vector<double> out(rows.size());
    parallel_for(rows.size(), request_.jobs, [&](std::size_t k) { out[k] = run(request_.runs[rows[k]], sets); });
    simulations_ += rows.size();
    return out;
  }

  // The sum of squared relative errors over `rows`.
  double objective(const std::vector<std::size_t>& rows, const std::vector<std::size_t>& active,
                   const std::vector<double>& x) {
    const std::vector<double> sim = simulate(rows, active, x);
    double sum = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const double e = (sim[k] - request_.runs[rows[k]].measured) / request_.runs[rows[k]].measured;
      sum += e * e;
    }
    return sum;
  }

  std::size_t simulations() const { return simulations_; }

 private:
  double run(const MeasuredRun& r, const std::vector<std::string>& field_sets) const {
    // The run's own overrides come last: a row that sets one of the fitted fields itself keeps its value.
    std::vector<std::string> overrides = request_.base;
    overrides.insert(overrides.end(), field_sets.begin(), field_sets.end());
    overrides.insert(overrides.end(), r.sets.begin(), r.sets.end());
    const std::size_t metric = *metric_index(r.metric);
    double value = 0;
    try {
      value = run_scenario(scenario::load(r.scenario, overrides)).figures.at(metric);
    } catch (const InputError& e) {
      throw InputError(r.pos, "the run's scenario fails: " + std::string(e.what()));
    }
    if (!std::isfinite(value) || value <= 0) {
      throw InputError(r.pos, "the run's scenario has no " + r.metric + " (does it fit in memory? is it a "
                              "generation, for time_to_first_token?)");
    }
    return value;
  }

  const FitRequest& request_;
  std::string type_;
  std::vector<FittedField>& fields_;
  std::size_t simulations_ = 0;
};

// Every run's scenario loaded once: errors at the row, and the node types, formats and node counts they use.
struct RunFacts {
  std::set<std::string> types;
  std::set<hw::NumberFormat> formats;
  bool several_nodes = false;
  bool prefill = false;
  std::map<std::string, hw::NodeSpec> nodes;  // the first node of each type
};

RunFacts facts_of(const FitRequest& request) {
  RunFacts facts;
  for (const MeasuredRun& r : request.runs) {
    std::vector<std::string> overrides = request.base;
    overrides.insert(overrides.end(), r.sets.begin(), r.sets.end());
    try {
      const scenario::Scenario s = scenario::load(r.scenario, overrides);
      for (int i = 0; i < std::min(s.plan.nodes, s.topology.node_count()); ++i) {
        const hw::NodeSpec& node = s.topology.node(i);
        facts.types.insert(node.type);
        facts.nodes.emplace(node.type, node);
      }
      facts.formats.insert(s.transformer ? s.transformer->weight_format : workload::number_format(s.model.dtype));
      facts.several_nodes = facts.several_nodes || s.plan.nodes > 1;
    } catch (const InputError& e) {
      throw InputError(r.pos, "the run's scenario fails: " + std::string(e.what()));
    }
    facts.prefill = facts.prefill || r.metric == "time_to_first_token" || r.metric == "generation_time";
  }
  return facts;
}

std::vector<std::string> default_fields(const RunFacts& facts) {
  std::vector<std::string> fields{"memory_bandwidth"};
  for (hw::NumberFormat f : facts.formats) fields.push_back("decode_rates." + std::string(hw::to_string(f)));
  if (facts.prefill) {
    for (hw::NumberFormat f : facts.formats) fields.push_back("prefill_rates." + std::string(hw::to_string(f)));
  }
  if (facts.several_nodes) {
    fields.push_back("send_overhead");
    fields.push_back("recv_overhead");
  }
  return fields;
}

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Marks the fields the runs cannot determine, from each run's sensitivity to each field at the preset (Gram-Schmidt
// over the fields in the order given: a field is kept when its sensitivities are not a combination of the kept).
void mark_determined(Fitter& fitter, std::vector<FittedField>& fields, std::size_t rows, const std::string& file,
                     const SourcePos& last_row) {
  std::vector<std::size_t> all(rows);
  for (std::size_t r = 0; r < rows; ++r) all[r] = r;
  const std::vector<double> base = fitter.simulate(all, {}, {});
  std::vector<std::vector<double>> columns(fields.size());
  for (std::size_t p = 0; p < fields.size(); ++p) {
    const std::vector<double> moved = fitter.simulate(all, {p}, {std::log1p(kProbe)});
    for (std::size_t r = 0; r < rows; ++r) {
      columns[p].push_back((std::log(moved[r]) - std::log(base[r])) / std::log1p(kProbe));
    }
    const double rms = norm(columns[p]) / std::sqrt(static_cast<double>(rows));
    fields[p].determined = rms >= kInsensitive;
    if (!fields[p].determined) fields[p].why_not = "no run's time depends on it";
  }
  const auto sensitive = std::count_if(fields.begin(), fields.end(), [](const FittedField& f) { return f.determined; });
  if (static_cast<std::size_t>(sensitive) > rows) {
    throw InputError(last_row, std::to_string(rows) + " measured run" + (rows == 1 ? "" : "s") + " in " + file +
                                   " cannot determine " + std::to_string(sensitive) +
                                   " fields: measure more runs, or name fewer with --fit");
  }
  std::vector<std::vector<double>> basis;  // orthonormal
  std::vector<std::size_t> kept;
  for (std::size_t p = 0; p < fields.size(); ++p) {
    if (!fields[p].determined) continue;
    std::vector<double> v = columns[p];
    for (const std::vector<double>& u : basis) {
      const double c = dot(u, columns[p]);
      for (std::size_t r = 0; r < rows; ++r) v[r] -= c * u[r];
    }
    if (norm(v) < kDependent * norm(columns[p])) {
      std::size_t closest = kept.front();
      double best = -1;
      for (std::size_t q : kept) {
        const double cos = std::abs(dot(columns[q], columns[p])) / (norm(columns[q]) * norm(columns[p]));
        if (cos > best) best = cos, closest = q;
      }
      fields[p].determined = false;
      fields[p].why_not = "these runs cannot tell its effect apart from " + fields[closest].field.name + "'s";
      continue;
    }
    const double n = norm(v);
    for (double& x : v) x /= n;
    basis.push_back(std::move(v));
    kept.push_back(p);
  }
}

}  // namespace

std::vector<std::string> default_fields(const FitRequest& request) { return default_fields(facts_of(request)); }

FitResult fit_measured(const FitRequest& request) {
  const SourcePos at_file{request.file, 0, 0};
  if (request.runs.empty()) throw InputError(at_file, "no measured runs");
  const RunFacts facts = facts_of(request);
  FitResult result;
  if (!request.node_type.empty()) {
    if (!facts.types.contains(request.node_type)) {
      std::string used;
      for (const std::string& t : facts.types) used += (used.empty() ? "" : ", ") + t;
      throw InputError(SourcePos{"--node-type", 0, 0},
                       "no run uses node type '" + request.node_type + "' (they use " + used + ")");
    }
    result.node_type = request.node_type;
  } else if (facts.types.size() != 1) {
    std::string used;
    for (const std::string& t : facts.types) used += (used.empty() ? "" : ", ") + t;
    throw InputError(at_file, "the runs use several node types (" + used + "): name the one to fit with --node-type");
  } else {
    result.node_type = *facts.types.begin();
  }

  const std::vector<std::string> names = request.fields.empty() ? default_fields(facts) : request.fields;
  const hw::NodeSpec& node = facts.nodes.at(result.node_type);
  for (const std::string& name : names) {
    const auto field = node_field(name);
    if (!field) {
      throw InputError(SourcePos{"--fit", 0, 0}, "'" + name + "' is not a field calibration can fit; expected one of " +
                                                     fittable_fields_text());
    }
    for (const FittedField& f : result.fields) {
      if (f.field.name == name) throw InputError(SourcePos{"--fit", 0, 0}, "'" + name + "' is named twice");
    }
    const double preset = field_value(node, *field);
    result.fields.push_back(FittedField{*field, preset, preset, false, ""});
  }

  Fitter fitter(request, result.node_type, result.fields);
  const std::size_t rows = request.runs.size();
  mark_determined(fitter, result.fields, rows, request.file, request.runs.back().pos);
  std::vector<std::size_t> active;
  for (std::size_t p = 0; p < result.fields.size(); ++p) {
    if (result.fields[p].determined) active.push_back(p);
  }
  std::vector<std::size_t> all(rows);
  for (std::size_t r = 0; r < rows; ++r) all[r] = r;

  std::vector<double> best(active.size(), 0.0);
  MinimizeOptions options;
  options.x_tolerance = 1e-5;
  options.tolerance = 1e-12;
  if (!active.empty()) {
    best = minimize([&](const std::vector<double>& x) { return fitter.objective(all, active, x); }, best, options).x;
  }
  for (std::size_t i = 0; i < active.size(); ++i) {
    FittedField& f = result.fields[active[i]];
    f.value = value_at(f, best[i]);
  }
  const std::vector<double> simulated = fitter.simulate(all, active, best);
  double sum = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const MeasuredRun& run = request.runs[r];
    const std::string label =
        run.label.empty() ? run.scenario + (run.set_text.empty() ? "" : " " + run.set_text) : run.label;
    RowFit row{run.pos, label, run.measured, simulated[r], std::nullopt};
    sum += row.residual() * row.residual();
    result.rows.push_back(std::move(row));
  }
  result.rms = std::sqrt(sum / static_cast<double>(rows));

  // Leave-one-out: each run predicted by the fit to the others, started from the full fit (it is near).
  if (!active.empty() && rows > active.size() + 1) {
    MinimizeOptions near = options;
    near.step = 0.05;
    double loo = 0;
    for (std::size_t left = 0; left < rows; ++left) {
      std::vector<std::size_t> others;
      for (std::size_t r = 0; r < rows; ++r) {
        if (r != left) others.push_back(r);
      }
      const std::vector<double> x =
          minimize([&](const std::vector<double>& y) { return fitter.objective(others, active, y); }, best, near).x;
      const double predicted = fitter.simulate({left}, active, x).front();
      result.rows[left].left_out = predicted;
      const double e = (predicted - request.runs[left].measured) / request.runs[left].measured;
      loo += e * e;
    }
    result.left_out_rms = std::sqrt(loo / static_cast<double>(rows));
  }
  result.simulations = fitter.simulations();
  return result;
}

}  // namespace shardsim::study
