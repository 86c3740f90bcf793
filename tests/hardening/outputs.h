#pragma once
// What a convert output folder holds, for comparing runs byte by byte.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/core/directory_lock.h"
#include "tests/support/temp_dir.h"

namespace vidpred::test {

// `vidpred convert SOURCE --out OUT` as the hardening tests run it.
inline std::vector<std::string> convert_args(const std::filesystem::path& source, const std::filesystem::path& out) {
  return {"convert", source.string(), "--out", out.string(), "--force", "--threads", "2"};
}

inline const std::vector<std::string>& split_files() {
  static const std::vector<std::string> names{"train.h5", "validate.h5", "test.h5"};
  return names;
}

// The bytes of every file directly in `dir`, by name; not the folder's lock
// file (empty, and kept between runs by design).
inline std::map<std::string, std::string> folder_bytes(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name != DirectoryLock::kLockName) files[name] = read_text(entry.path());
  }
  return files;
}

// Files in `dir` whose name ends with `suffix` (".partial", ".h5", ...).
inline std::vector<std::filesystem::path> files_ending(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(entry.path());
    }
  }
  return out;
}

}  // namespace vidpred::test
