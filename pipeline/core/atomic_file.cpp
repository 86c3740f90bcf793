#include "pipeline/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "pipeline/core/error.h"

namespace vidpred {
namespace fs = std::filesystem;

fs::path partial_path(const fs::path& final_path, AtomicFile::TempName naming) {
  fs::path p = final_path;
  if (naming == AtomicFile::TempName::before_extension) {
    p.replace_extension(".partial" + final_path.extension().string());
  } else {
    p += ".partial";
  }
  return p;
}

void check_io(bool ok, const fs::path& path, std::string_view action) {
  if (!ok) {
    throw Error(fmt::format("cannot {} '{}': {}", action, path.string(), std::strerror(errno)));
  }
}

namespace {
void sync_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  check_io(fd >= 0, path, "open");
  bool ok = ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  errno = saved;
  check_io(ok, path, "flush to disk");
}
}  // namespace

AtomicFile::AtomicFile(fs::path final_path, TempName naming)
    : final_(std::move(final_path)), temp_(partial_path(final_, naming)) {
  std::error_code ec;
  if (fs::exists(temp_, ec)) {
    fs::remove(temp_, ec);
    replaced_leftover_ = true;
  }
  if (final_.has_parent_path()) {
    fs::create_directories(final_.parent_path(), ec);
    if (ec) {
      throw Error(fmt::format("cannot create directory '{}': {}", final_.parent_path().string(),
                              ec.message()));
    }
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : final_(std::move(other.final_)),
      temp_(std::move(other.temp_)),
      committed_(other.committed_),
      replaced_leftover_(other.replaced_leftover_) {
  other.committed_ = true;  // the moved-from object owns nothing
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::commit() {
  sync_file(temp_);
  std::error_code ec;
  fs::rename(temp_, final_, ec);
  if (ec) {
    throw Error(fmt::format("cannot rename '{}' to '{}': {}", temp_.string(), final_.string(),
                            ec.message()));
  }
  committed_ = true;
  // The rename itself reaches the disk with the folder's own flush; without
  // it a power cut can leave the old name (or none). Best effort: some file
  // systems refuse fsync on a folder.
  const fs::path folder = final_.has_parent_path() ? final_.parent_path() : fs::path(".");
  if (int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  AtomicFile file(path);
  {
    std::FILE* f = std::fopen(file.path().c_str(), "wb");
    check_io(f != nullptr, file.path(), "create");
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    int saved = errno;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok && errno == 0) errno = saved;
    check_io(ok, file.path(), "write");
  }
  file.commit();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  check_io(static_cast<bool>(in), path, "open");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check_io(!in.bad(), path, "read");
  return data;
}

}  // namespace vidpred
