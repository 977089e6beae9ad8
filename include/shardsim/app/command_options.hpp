#pragma once
// The options of one `shardsim` command, with those that several commands share declared once here: the input
// file(s) named without an option, --set, --format with its allowed values, -o/--output, and --help. A command
// declares its options in the order its --help lists them (Boost.Program_options keeps that order; --help comes
// last), parses, and reads them back. Errors about the command line are InputErrors at "command line" (exit 2).

#include <boost/program_options.hpp>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "shardsim/util/error.hpp"

namespace shardsim::app {

// An error in the command's arguments ("command line: --jobs: expected at least 1").
InputError command_line_error(const std::string& message);

class CommandOptions {
 public:
  // `caption`: the synopsis, what the command does, examples, and "options"; --help prints it above the options.
  explicit CommandOptions(const std::string& caption);

  // ---- declaring, in the order --help lists them ----
  // One file (e.g. "scenario"), given without an option name; required.
  CommandOptions& input(const char* name, const char* description);
  // One or more files, given without an option name; required.
  CommandOptions& inputs(const char* name, const char* description);
  // --set key=value, repeatable. The description says what the override reaches (every point, every scenario).
  // With it, --calibration FILE: node types whose fields replace the same-named fields of the topology's types
  // (what `shardsim calibrate` writes); sets() puts it before the --set overrides, which apply on top.
  CommandOptions& set(const char* description);
  // --format NAME, one of `names`, the first by default; parse() refuses any other name.
  CommandOptions& format(std::vector<std::string> names, const char* description);
  // -o/--output FILE: where the command writes its result instead of standard output (see open_output()).
  CommandOptions& output(const char* description);
  // -o/--output FILE for a command that always writes a file.
  CommandOptions& required_output(const char* description);
  // --max-memory SIZE ("8 GiB"): the most memory the command may plan to take (study/memory_estimate.hpp); half
  // the machine's physical RAM by default.
  CommandOptions& max_memory();
  // The plot's axes: --x KEY, --y METRIC, --series KEY (required: --x and --y are), and --y-auto.
  CommandOptions& plot_axes(bool required);
  // The command's own options.
  boost::program_options::options_description_easy_init add();

  // Parses `args`. Returns false when --help was given, after writing the help to `out`: the command then
  // returns 0. A parse error (an unknown, missing or malformed option, a --format outside its names) is an
  // InputError at the command line.
  bool parse(const std::vector<std::string>& args, std::ostream& out);

  // ---- reading back, after parse() ----
  bool has(const char* key) const { return vm_.count(key) > 0; }
  // Whether the option took its default value (it was not given).
  bool defaulted(const char* key) const { return vm_[key].defaulted(); }
  template <class T>
  T value(const char* key) const {
    return vm_[key].as<T>();
  }
  template <class T>
  T value_or(const char* key, T fallback) const {
    return has(key) ? value<T>(key) : fallback;
  }
  std::string text(const char* key) const { return value_or<std::string>(key, ""); }  // "" when absent
  std::vector<std::string> texts(const char* key) const;  // a repeatable option's values; none when absent
  std::vector<std::string> sets() const;
  // The --format name in lower case: format names are read in any case ("JSON", "Csv").
  std::string format() const;
  bool has_output() const { return has("output"); }
  // --max-memory in bytes, or half of physical_memory() when it was not given. An InputError for a bad size.
  std::uint64_t memory_limit() const;
  std::string output_path() const { return text("output"); }

 private:
  boost::program_options::options_description options_;
  boost::program_options::positional_options_description positional_;
  std::vector<std::string> formats_;  // the names --format takes; none when the command has no --format
  boost::program_options::variables_map vm_;
};

// The machine's physical RAM in bytes (0 when the system does not say).
std::uint64_t physical_memory();

// Refuses (an InputError at the command line, exit 2) an estimate above the limit: "WHAT needs about ESTIMATE of
// memory (an upper bound), more than --max-memory LIMIT; ADVICE"; for a lower bound (a plan's floor, counted before
// it is planned) "needs at least ESTIMATE of memory (a lower bound, before planning)".
enum class Bound { upper, lower };
void check_memory(std::uint64_t estimate, std::uint64_t limit, const std::string& what, const std::string& advice,
                  Bound bound = Bound::upper);

// Opens `path` for writing (binary: the bytes as written). InputError "cannot write WHAT 'PATH'" when it cannot
// be opened; `what` names the content ("JUnit XML"), or is empty for the command's own result.
std::ofstream open_for_writing(const std::string& path, const std::string& what = "");

// Where a command writes its result: the -o/--output file when one was given, opened when this is made (so that a
// path that cannot be written is an error before any work that comes after), else standard output.
class OutputSink {
 public:
  OutputSink(const CommandOptions& options, std::ostream& standard);
  std::ostream& stream() { return file_.is_open() ? file_ : standard_; }

 private:
  std::ofstream file_;
  std::ostream& standard_;
};

}  // namespace shardsim::app
