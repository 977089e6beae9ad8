#pragma once
// The subcommands of the `shardsim` CLI, one file each (src/app/<name>_command.cpp), their shared options declared
// once in command_options.hpp. Each takes the arguments after its name and returns the exit code; errors are
// thrown as InputError / InternalError and turned into exit codes by run_cli().

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
int calibrate_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace shardsim::app
