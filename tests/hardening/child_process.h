#pragma once
// Running the vidpred binary as a child process that a test controls: killed
// at a chosen moment, or under a file-size limit. run_vidpred() (temp_dir.h)
// goes through a shell and can do neither.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vidpred::test {

struct ChildOptions {
  std::optional<uint64_t> file_size_limit;  // RLIMIT_FSIZE in bytes, for the child only
};

class ChildProcess {
 public:
  // Starts `program args...` with stdout and stderr on one pipe.
  ChildProcess(const std::string& program, const std::vector<std::string>& args, ChildOptions options = {});
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void kill_now();  // SIGKILL
  // Waits for the end; the exit code, or 128 + signal number when killed.
  int wait();
  bool killed_by_signal() const { return signaled_; }
  // The child's peak resident size in KiB (its own, not its children's), once waited for.
  int64_t peak_rss_kib() const { return peak_rss_kib_; }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int pipe_ = -1;
  bool reaped_ = false, signaled_ = false;
  int exit_code_ = 0;
  int64_t peak_rss_kib_ = 0;
  std::string output_;
};

// Convenience: runs to the end and returns {exit code, output}.
struct ChildResult {
  int exit_code = 0;
  std::string output;
  int64_t peak_rss_kib = 0;
};
ChildResult run_child(const std::string& program, const std::vector<std::string>& args, ChildOptions options = {});

}  // namespace vidpred::test
