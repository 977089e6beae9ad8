#pragma once
// The `shardsim` command line: the subcommands of commands.hpp (run, check, sweep, ...), registered once in a
// table that gives both the usage text and the dispatch. Exit codes: 0 ok, 1 an expectation failed, 2 bad input
// (with file:line:column), 70 internal error.

#include <ostream>
#include <string>
#include <vector>

namespace shardsim::app {

// Runs the command line `args` (without the program name), writing to `out` and `err`; returns the exit code.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace shardsim::app
