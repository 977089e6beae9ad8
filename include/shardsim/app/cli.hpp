#pragma once
// The `shardsim` command line: subcommands run, check and verify. Exit codes: 0 ok, 1 an expectation failed,
// 2 bad input (with file:line:column), 70 internal error.

#include <ostream>
#include <string>
#include <vector>

namespace shardsim::app {

// Runs the command line `args` (without the program name), writing to `out` and `err`; returns the exit code.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace shardsim::app
