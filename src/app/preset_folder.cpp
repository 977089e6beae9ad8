#include "shardsim/app/preset_folder.hpp"

#include <filesystem>
#include <system_error>

#include "shardsim/app/command_options.hpp"

namespace shardsim::app {
namespace fs = std::filesystem;

std::optional<std::string> installed_preset_folder(const std::string& executable) {
  std::error_code ec;
  const fs::path folder = fs::path(executable).parent_path() / ".." / "share" / "shardsim" / "topologies";
  if (!fs::is_directory(folder, ec)) return std::nullopt;
  return fs::weakly_canonical(folder, ec).string();
}

PresetFolder find_preset_folder(const std::optional<std::string>& dir) {
  if (dir) {
    if (!fs::is_directory(*dir)) throw command_line_error("--dir: '" + *dir + "' is not a folder");
    return {*dir, "--dir"};
  }
  if (fs::is_directory("topologies")) return {"topologies", "the working folder"};
  // Linux names the running executable in /proc/self/exe (proc(5)); argv[0] may be a bare name found on PATH.
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (auto installed = installed_preset_folder(self.string())) return {*installed, "installed with the binary"};
  }
  throw command_line_error(
      "no preset folder: give --dir FOLDER (looked for ./topologies and ../share/shardsim/topologies beside " +
      (ec ? std::string("the executable") : self.string()) + ")");
}

}  // namespace shardsim::app
