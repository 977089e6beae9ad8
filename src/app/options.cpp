#include "shardsim/app/commands.hpp"

#include "shardsim/util/error.hpp"

namespace shardsim::app {
namespace po = boost::program_options;

Parsed parse_options(const std::vector<std::string>& args, po::options_description& options,
                     const po::positional_options_description& positional) {
  options.add_options()("help,h", "show this help");
  Parsed p;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), p.vm);
    p.help = p.vm.count("help") > 0;
    if (!p.help) po::notify(p.vm);
  } catch (const po::error& e) {
    throw InputError(SourcePos{"command line", 0, 0}, e.what());
  }
  return p;
}

std::vector<std::string> strings(const po::variables_map& vm, const char* key) {
  return vm.count(key) ? vm[key].as<std::vector<std::string>>() : std::vector<std::string>{};
}

}  // namespace shardsim::app
