// The shardsim program: everything happens in run_cli, which catches the errors main() is the place for.
#include <iostream>

#include "shardsim/app/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return shardsim::app::run_cli(args, std::cout, std::cerr);
}
