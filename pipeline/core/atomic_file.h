#pragma once
// Files are written under a temporary name beside the target and renamed into
// place only when complete, so a crash, a full disk or Ctrl-C never leaves a
// half-written file under a final name, and never harms a good file already there.
#include <filesystem>
#include <string_view>

namespace vidpred {

class AtomicFile {
 public:
  // Where ".partial" goes in the temporary name. Libraries that choose the
  // format from the file name (OpenCV's VideoWriter picks the container from
  // the extension) need it before the extension: seq_3.partial.avi.
  enum class TempName { append, before_extension };

  // The temporary name is fixed (`<name>.partial`) so that a leftover from a
  // killed run is found, reported and replaced by the next one.
  explicit AtomicFile(std::filesystem::path final_path, TempName naming = TempName::append);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  AtomicFile(AtomicFile&&) noexcept;

  const std::filesystem::path& path() const { return temp_; }
  const std::filesystem::path& final_path() const { return final_; }
  // True when a temporary file from an earlier, interrupted run was replaced.
  bool replaced_leftover() const { return replaced_leftover_; }

  // Flushes the temporary file to disk and renames it to the final name.
  void commit();

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
  bool replaced_leftover_ = false;
};

std::filesystem::path partial_path(const std::filesystem::path& final_path,
                                   AtomicFile::TempName naming = AtomicFile::TempName::append);

// Writes `bytes` to `path` atomically; errors (disk full, no permission) name the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// Reads a whole file; a missing or unreadable file is an error naming it.
std::string read_file(const std::filesystem::path& path);

// Throws an Error naming `path` with strerror(errno) when `ok` is false.
void check_io(bool ok, const std::filesystem::path& path, std::string_view action);

}  // namespace vidpred
