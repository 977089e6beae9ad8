#pragma once
// A scratch folder for the fuzz targets that read files: scenarios/ for the input and topologies/ with a link to
// every shipped topology file, so that an input naming "../topologies/pi-nodes.toml" (as the shipped scenarios do)
// or including "pi-nodes.toml" (as the shipped topologies do) finds them. One folder per process (mkdtemp), so
// parallel fuzzing jobs (-jobs=N) do not overwrite each other's input; it is left in /tmp (a few links).

#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace shardsim::fuzz {

class FuzzFolder {
 public:
  FuzzFolder() {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / "shardsim-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    root_ = pattern;
    fs::create_directories(root_ / "scenarios");
    fs::create_directories(root_ / "topologies");
    for (const fs::directory_entry& e : fs::directory_iterator(fs::path(SHARDSIM_SOURCE_DIR) / "topologies")) {
      fs::create_symlink(e.path(), root_ / "topologies" / e.path().filename());
    }
  }

  // Writes the input to `name` (relative to the folder) and returns its path.
  std::string write(const std::string& name, const std::uint8_t* data, std::size_t size) const {
    const std::string path = (root_ / name).string();
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
  }

 private:
  std::filesystem::path root_;
};

}  // namespace shardsim::fuzz
