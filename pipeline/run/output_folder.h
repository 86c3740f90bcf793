#pragma once
// A command's output folder (`predict`, `plan`, `control`): assembled as
// OUT.partial and renamed into place when complete, so an error leaves no OUT
// behind; an existing OUT is replaced only with --force, and only when the
// same command wrote it (a marker file in it lists what it wrote).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace vidpred {

struct OutputFolder {
  std::filesystem::path out;
  std::string command;  // "predict": named in messages and in the marker
  std::string earlier;  // what an earlier run left: "an earlier prediction"
  bool force = false;

  // Refuses an `out` that this command may not replace; call before any work.
  void check() const;
  // Runs `write` on the staging folder (it returns the files it wrote,
  // relative to it), writes the marker, then renames the folder into place.
  // Returns the files, under `out`.
  std::vector<std::filesystem::path> write(
      const std::function<std::vector<std::filesystem::path>(const std::filesystem::path& staging)>& write) const;
};

}  // namespace vidpred
