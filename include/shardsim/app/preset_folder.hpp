#pragma once
// Where the preset topologies (topologies/*.toml) are, for `shardsim presets`: the folder given with --dir; else
// ./topologies when the command runs in a checkout; else the folder an installed shardsim ships them in,
// <prefix>/share/shardsim/topologies, found from the running executable (<prefix>/bin/shardsim) so that an
// installation works under any prefix and from any working folder (the layout `cmake --install` writes).

#include <optional>
#include <string>

namespace shardsim::app {

struct PresetFolder {
  std::string path;
  std::string found_by;  // "--dir", "the working folder", "installed with the binary"
};

// The installed folder beside `executable` (../share/shardsim/topologies), when it exists.
std::optional<std::string> installed_preset_folder(const std::string& executable);

// Throws command_line_error when --dir is not a folder or no folder is found (naming the places looked in).
PresetFolder find_preset_folder(const std::optional<std::string>& dir);

}  // namespace shardsim::app
