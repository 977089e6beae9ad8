#pragma once
// The subcommands of the `shardsim` CLI, one file each (src/app/<name>_command.cpp), plus the option parsing
// they share. Each takes the arguments after its name and returns the exit code; errors are thrown as
// InputError / InternalError and turned into exit codes by run_cli().

#include <boost/program_options.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace shardsim::app {

int run_command(const std::vector<std::string>& args, std::ostream& out);
int check_command(const std::vector<std::string>& args, std::ostream& out);
int verify_command(const std::vector<std::string>& args, std::ostream& out);
int compare_command(const std::vector<std::string>& args, std::ostream& out);
int sweep_command(const std::vector<std::string>& args, std::ostream& out);
int merge_command(const std::vector<std::string>& args, std::ostream& out);
int plot_command(const std::vector<std::string>& args, std::ostream& out);
int topo_command(const std::vector<std::string>& args, std::ostream& out);
int presets_command(const std::vector<std::string>& args, std::ostream& out);
int explain_command(const std::vector<std::string>& args, std::ostream& out);

struct Parsed {
  boost::program_options::variables_map vm;
  bool help = false;  // --help was given: print `options` and return 0
};

// Parses `args` against `options` (to which --help is added); a parse error is an InputError.
Parsed parse_options(const std::vector<std::string>& args, boost::program_options::options_description& options,
                     const boost::program_options::positional_options_description& positional);

// The values of a repeatable string option (empty when absent).
std::vector<std::string> strings(const boost::program_options::variables_map& vm, const char* key);

}  // namespace shardsim::app
