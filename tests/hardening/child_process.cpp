#include "tests/hardening/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace vidpred::test {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args, ChildOptions options) {
  // Everything the child needs is prepared before fork: between fork and exec
  // only async-signal-safe calls.
  std::vector<std::string> storage{program};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    if (options.file_size_limit) {
      struct rlimit limit {};
      limit.rlim_cur = limit.rlim_max = rlim_t(*options.file_size_limit);
      ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  pipe_ = fds[0];
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    kill_now();
    wait();
  }
  if (pipe_ >= 0) ::close(pipe_);
}

void ChildProcess::kill_now() {
  if (!reaped_) ::kill(pid_, SIGKILL);
}

int ChildProcess::wait() {
  if (reaped_) return exit_code_;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(pipe_, buffer, sizeof buffer);
    if (n > 0) {
      output_.append(buffer, size_t(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  peak_rss_kib_ = int64_t(usage.ru_maxrss);  // Linux counts it in KiB
  signaled_ = WIFSIGNALED(status);
  exit_code_ = signaled_ ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return exit_code_;
}

ChildResult run_child(const std::string& program, const std::vector<std::string>& args, ChildOptions options) {
  ChildProcess child(program, args, options);
  int code = child.wait();
  return {code, child.output(), child.peak_rss_kib()};
}

}  // namespace vidpred::test
