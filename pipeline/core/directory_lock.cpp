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
  // A file opened for writing, not the folder itself: NFS turns flock into a
  // POSIX write lock, which a read-only descriptor cannot take.
  const std::filesystem::path file = dir / kLockName;
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(fmt::format("cannot open '{}': {}", file.string(), std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  const int error = errno;
  if (error == ENOLCK || error == EOPNOTSUPP || error == ENOSYS) return;  // a file system without locks: unguarded
  ::close(fd_);
  if (error == EWOULDBLOCK) {
    throw Error(fmt::format("another vidpred process is writing to '{}' (still running?); wait for it or {}",
                            dir.string(), alternative));
  }
  throw Error(fmt::format("cannot lock '{}': {}", file.string(), std::strerror(error)));
}

DirectoryLock::~DirectoryLock() { ::close(fd_); }  // closing releases the lock

}  // namespace vidpred
