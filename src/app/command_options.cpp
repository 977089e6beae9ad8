#include "shardsim/app/command_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "shardsim/util/unit_parse.hpp"

#include "shardsim/scenario/scenario.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

InputError command_line_error(const std::string& message) {
  return InputError(SourcePos{"command line", 0, 0}, message);
}

CommandOptions::CommandOptions(const std::string& caption) : options_(caption) {}

CommandOptions& CommandOptions::input(const char* name, const char* description) {
  options_.add_options()(name, po::value<std::string>()->required(), description);
  positional_.add(name, 1);
  return *this;
}

CommandOptions& CommandOptions::inputs(const char* name, const char* description) {
  options_.add_options()(name, po::value<std::vector<std::string>>()->required(), description);
  positional_.add(name, -1);
  return *this;
}

CommandOptions& CommandOptions::set(const char* description) {
  options_.add_options()("set", po::value<std::vector<std::string>>(), description)(
      "calibration", po::value<std::string>(),
      "a node-types file (shardsim calibrate -o FILE): its fields replace those of the same-named node types");
  return *this;
}

std::vector<std::string> CommandOptions::sets() const {
  std::vector<std::string> overrides;
  if (has("calibration")) overrides.push_back(scenario::calibration_override(text("calibration")));
  for (std::string& s : texts("set")) overrides.push_back(std::move(s));
  return overrides;
}

std::string CommandOptions::format() const {
  std::string name = value<std::string>("format");
  for (char& c : name) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return name;
}

CommandOptions& CommandOptions::format(std::vector<std::string> names, const char* description) {
  options_.add_options()("format", po::value<std::string>()->default_value(names.at(0)), description);
  formats_ = std::move(names);
  return *this;
}

CommandOptions& CommandOptions::output(const char* description) {
  options_.add_options()("output,o", po::value<std::string>(), description);
  return *this;
}

CommandOptions& CommandOptions::required_output(const char* description) {
  options_.add_options()("output,o", po::value<std::string>()->required(), description);
  return *this;
}

CommandOptions& CommandOptions::plot_axes(bool required) {
  auto column = [required] {
    auto* v = po::value<std::string>();
    return required ? v->required() : v;
  };
  options_.add_options()("x", column(), "plot: the column on the x axis (numbers or quantities: lines; words: bars)")(
      "y", column(), "plot: the column on the y axis (a metric)")(
      "series", po::value<std::string>(), "plot: one line (or bar) per value of this column")(
      "y-auto", po::bool_switch(), "plot: fit the y range to the data instead of starting it at 0");
  return *this;
}

CommandOptions& CommandOptions::max_memory() {
  options_.add_options()("max-memory", po::value<std::string>(),
                         "refuse to start what is estimated to need more memory than this, e.g. \"8 GiB\" "
                         "(default: half the physical RAM)");
  return *this;
}

std::uint64_t CommandOptions::memory_limit() const {
  if (!has("max-memory")) return physical_memory() / 2;
  try {
    return static_cast<std::uint64_t>(parse_bytes(text("max-memory")).count);
  } catch (const UnitError& e) {
    throw command_line_error(std::string("--max-memory: ") + e.what());
  }
}

std::uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : 0;
}

void check_memory(std::uint64_t estimate, std::uint64_t limit, const std::string& what, const std::string& advice,
                  Bound bound) {
  // A limit of 0 (a system that does not say its RAM) checks nothing.
  if (limit == 0 || estimate <= limit) return;
  const auto bytes = [](std::uint64_t b) { return format_bytes(Bytes{static_cast<std::int64_t>(std::min<std::uint64_t>(b, INT64_MAX))}); };
  const std::string needs = bound == Bound::upper
                                ? " needs about " + bytes(estimate) + " of memory (an upper bound)"
                                : " needs at least " + bytes(estimate) + " of memory by the upper bound (its part counted before planning)";
  throw command_line_error(what + needs + ", more than --max-memory " + bytes(limit) + "; " + advice);
}

po::options_description_easy_init CommandOptions::add() { return options_.add_options(); }

bool CommandOptions::parse(const std::vector<std::string>& args, std::ostream& out) {
  options_.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(options_).positional(positional_).run(), vm_);
    if (vm_.count("help")) {
      out << options_ << "\n";
      return false;
    }
    po::notify(vm_);
  } catch (const po::error& e) {
    throw command_line_error(e.what());
  }
  if (!formats_.empty() && std::find(formats_.begin(), formats_.end(), format()) == formats_.end()) {
    std::string expected;
    for (std::size_t i = 0; i < formats_.size(); ++i) {
      expected += (i == 0 ? "" : i + 1 == formats_.size() ? " or " : ", ") + formats_[i];
    }
    throw command_line_error("--format: expected " + expected + ", got '" + value<std::string>("format") + "'");
  }
  return true;
}

std::vector<std::string> CommandOptions::texts(const char* key) const {
  return value_or<std::vector<std::string>>(key, {});
}

std::ofstream open_for_writing(const std::string& path, const std::string& what) {
  std::ofstream file(path, std::ios::binary);
  if (!file) throw command_line_error("cannot write " + (what.empty() ? "" : what + " ") + "'" + path + "'");
  return file;
}

OutputSink::OutputSink(const CommandOptions& options, std::ostream& standard) : standard_(standard) {
  if (options.has_output()) file_ = open_for_writing(options.output_path());
}

}  // namespace shardsim::app
