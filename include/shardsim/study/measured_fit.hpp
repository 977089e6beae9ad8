#pragma once
// Calibration against end-to-end runs (`shardsim calibrate --measured FILE.csv`): some fields of one node type
// (node_field.hpp) are chosen so that shardsim's own simulation of every measured run comes as close as it can to
// the measurement, by least squares on the relative error sum_r ((simulated_r - measured_r) / measured_r)^2.
//
// The minimizer (nelder_mead.hpp) works on the logarithm of each value (a rate and an overhead are positive and
// matter by ratio; compute_memory_overlap, a fraction, on its logit), starting from the preset. Each evaluation
// simulates every run (on `jobs` threads; the sum is taken in row order, so the fit does not depend on them).
//
// Before fitting, the sensitivity of every run to every field (d log simulated / d log value, by a 10 % step
// from the preset) decides what the runs can determine: a field no run depends on (network overheads from
// single-node runs) or one whose effect the runs cannot tell apart from a field before it (send and receive
// overheads, which every message pays both of) keeps its preset, and the result says so.

#include <optional>
#include <string>
#include <vector>

#include "shardsim/study/node_field.hpp"
#include "shardsim/util/error.hpp"

namespace shardsim::study {

// One row of the measured CSV: `scenario,set,measured[,metric]`.
struct MeasuredRun {
  std::string scenario;           // resolved against the CSV's folder
  std::vector<std::string> sets;  // the `set` column split at ';': key=value overrides of this run
  std::string set_text;           // as written
  double measured = 0;            // seconds
  std::string metric = "token_latency";  // a time figure of the metric catalog
  SourcePos pos;                  // the row's line in the CSV
  std::string label;              // what the report calls the run; "" for the scenario and its sets
};

// Reads the CSV: a header `scenario,set,measured` (and optionally `,metric`), then one run per row (RFC 4180
// quoting: a set with quotes or commas is written in double quotes, its quotes doubled). InputError at file:line
// for a missing column, a time without its unit, or a metric that is not a time.
std::vector<MeasuredRun> read_measured_runs(const std::string& path);

struct FitRequest {
  std::string file;                // the CSV, for messages and the written comments
  std::vector<MeasuredRun> runs;
  std::string node_type;           // "" : the one node type the runs' clusters are made of
  std::vector<std::string> fields; // empty: default_fields()
  std::vector<std::string> base;   // overrides applied to every run before its own (a --calibration file)
  unsigned jobs = 1;
};

struct FittedField {
  NodeField field;
  double preset = 0;  // the node type's value before the fit
  double value = 0;   // fitted; the preset when not determined
  bool determined = false;
  std::string why_not;  // when not determined: why ("no run depends on it", "cannot be told apart from ...")
};

struct RowFit {
  SourcePos pos;
  std::string label;                     // scenario and sets, as the row wrote them
  double measured = 0;                   // seconds
  double simulated = 0;                  // with the fitted values
  std::optional<double> left_out;        // predicted by a fit to the other rows (leave-one-out)

  double residual() const { return (simulated - measured) / measured; }
};

struct FitResult {
  std::string node_type;
  std::vector<FittedField> fields;
  std::vector<RowFit> rows;
  double rms = 0;                        // of the rows' relative residuals
  std::optional<double> left_out_rms;    // of the leave-one-out errors, when rows > fitted fields + 1
  std::size_t simulations = 0;
};

// The fields fitted when none are named: memory_bandwidth and the decode kernel rate of the models' weight format
// (what a decode step's time is made of), prefill_rates.FORMAT when a row measures a prefill, and send_overhead
// and recv_overhead when a run spans several nodes.
std::vector<std::string> default_fields(const FitRequest& request);

// Fits; InputError at a row for a scenario that fails, at the file for too few rows or no node type to fit.
FitResult fit_measured(const FitRequest& request);

}  // namespace shardsim::study
