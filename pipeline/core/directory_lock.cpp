#include "pipeline/core/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "pipeline/core/error.h"

namespace vidpred {

DirectoryLock::DirectoryLock(const std::filesystem::path& dir, const std::string& alternative) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(fmt::format("cannot create '{}': {}", dir.string(), ec.message()));
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) throw Error(fmt::format("cannot open '{}': {}", dir.string(), std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    if (error == EWOULDBLOCK) {
      throw Error(fmt::format("another vidpred process is writing to '{}' (still running?); wait for it or {}",
                              dir.string(), alternative));
    }
    throw Error(fmt::format("cannot lock '{}': {}", dir.string(), std::strerror(error)));
  }
}

DirectoryLock::~DirectoryLock() { ::close(fd_); }  // closing releases the lock

}  // namespace vidpred
