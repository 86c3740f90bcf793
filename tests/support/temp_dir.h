#pragma once
// Test support: a fresh folder removed at the end of the test, and running the
// vidpred binary as a user would.
#include <filesystem>
#include <string>
#include <vector>

namespace vidpred::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = 0;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line, capturing its output.
CommandResult run_command(const std::string& command_line);

// Runs `vidpred ARGS` (the binary under test; its path is compiled into each
// test binary).
#ifdef VIDPRED_BINARY
inline CommandResult run_vidpred(const std::string& args) {
  return run_command(std::string(VIDPRED_BINARY) + " " + args);
}
#endif

std::string read_text(const std::filesystem::path& path);
// Lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix);

bool files_equal(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace vidpred::test
