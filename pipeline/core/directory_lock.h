#pragma once
// One writer per output folder: two converts into the same --out, or two
// trainings of the same run directory, would replace each other's temporary
// files and commit a mix. The lock is the kernel's (flock on DIR/.vidpred.lock,
// a file that stays), so a killed holder never leaves it held.
#include <filesystem>
#include <string>

namespace vidpred {

class DirectoryLock {
 public:
  static constexpr const char* kLockName = ".vidpred.lock";

  // Creates `dir` if needed and locks it; when another process holds it, an
  // Error naming the folder and the user's `alternative` ("choose another --out").
  DirectoryLock(const std::filesystem::path& dir, const std::string& alternative);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace vidpred
