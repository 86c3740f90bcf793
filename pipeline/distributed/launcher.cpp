#include "pipeline/distributed/launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/core/error.h"
#include "pipeline/distributed/env.h"
#include "pipeline/distributed/port.h"
#include "pipeline/distributed/process_group.h"

extern char** environ;

namespace vidpred::dist {

namespace {

using Clock = std::chrono::steady_clock;

// This process's own command line, exactly as it was given.
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == '\0') {
      args.push_back(all.substr(start, i - start));
      start = i + 1;
    }
  }
  if (args.empty()) throw Error("cannot read this process's command line from /proc/self/cmdline");
  return args;
}

std::string random_run_id() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // our own output is gone: nothing better to do
    done += size_t(n);
  }
}

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close(0); }
  void close_write() { close(1); }

 private:
  void close(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  int fds_[2] = {-1, -1};
};

// One output stream of one worker, forwarded line by line.
struct Stream {
  Pipe pipe;
  int target = 1;  // our stdout or stderr
  std::string pending;
  bool open = true;
};

struct Worker {
  int rank = 0, local_rank = 0;
  pid_t pid = -1;
  bool running = false;
  int status = 0;
  Stream out, err;
};

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return fmt::format("was killed by signal {} ({})", sig, strsignal(sig));
  }
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

bool failed(int status) { return !(WIFEXITED(status) && WEXITSTATUS(status) == 0); }

class Launch {
 public:
  Launch(const LaunchOptions& o, const CancelToken& cancel) : options_(o), cancel_(cancel) {}

  ~Launch() {
    // An exception on our side: take the workers down with us.
    for (auto& w : workers_) {
      if (w.running) ::kill(w.pid, SIGKILL);
    }
    for (auto& w : workers_) {
      if (w.running) ::waitpid(w.pid, nullptr, 0);
    }
  }

  void run() {
    const std::vector<std::string> args = own_command_line();
    const int world = options_.nproc_per_node * options_.nnodes;
    // One token for the run, checked at rendezvous, so that a worker never
    // joins another run's store; several nodes cannot share it (each has
    // its own launcher), so it is only used on one.
    const std::string run_id = options_.nnodes == 1 ? random_run_id() : "";
    workers_ = std::vector<Worker>(size_t(options_.nproc_per_node));
    for (int local = 0; local < options_.nproc_per_node; ++local) {
      Worker& w = workers_[size_t(local)];
      w.local_rank = local;
      w.rank = options_.node_rank * options_.nproc_per_node + local;
      w.err.target = 2;
      std::vector<std::string> env = environment(w, world, run_id);
      start(w, args, env);
    }
    supervise();
  }

 private:
  std::vector<std::string> environment(const Worker& w, int world, const std::string& run_id) const {
    const std::vector<std::pair<std::string, std::string>> ours{
        {"RANK", std::to_string(w.rank)},
        {"WORLD_SIZE", std::to_string(world)},
        {"LOCAL_RANK", std::to_string(w.local_rank)},
        {"LOCAL_WORLD_SIZE", std::to_string(options_.nproc_per_node)},
        {"GROUP_RANK", std::to_string(options_.node_rank)},
        {"MASTER_ADDR", options_.master_addr},
        {"MASTER_PORT", std::to_string(options_.master_port)},
        {kLaunchedVar, "1"},
        {kRunIdVar, run_id},
    };
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      std::string entry(*e);
      const std::string name = entry.substr(0, entry.find('='));
      bool replaced = false;
      for (const auto& [key, value] : ours) replaced = replaced || key == name;
      if (!replaced) env.push_back(entry);
    }
    for (const auto& [key, value] : ours) {
      if (!value.empty()) env.push_back(key + "=" + value);
    }
    return env;
  }

  void start(Worker& w, const std::vector<std::string>& args, const std::vector<std::string>& env) {
    // Everything the child needs is built before fork: after it, only
    // async-signal-safe calls.
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(fmt::format("cannot start worker rank {}: {}", w.rank, std::strerror(errno)));
    if (pid == 0) {
      // Die with the launcher, whatever kills it.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the launcher blocks SIGINT/SIGTERM for its watcher
      ::dup2(w.out.pipe.write_end(), 1);
      ::dup2(w.err.pipe.write_end(), 2);
      ::execve("/proc/self/exe", argv.data(), envp.data());
      const char message[] = "vidpred: cannot execute /proc/self/exe for a worker\n";
      (void)!::write(2, message, sizeof(message) - 1);
      ::_exit(127);
    }
    w.pid = pid;
    w.running = true;
    w.out.pipe.close_write();
    w.err.pipe.close_write();
  }

  void forward(Worker& w, Stream& s) {
    char buffer[65536];
    const ssize_t n = ::read(s.pipe.read_end(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
      if (!s.pending.empty()) write_all(s.target, fmt::format("[rank {}] {}\n", w.rank, s.pending));
      s.pending.clear();
      s.open = false;
      s.pipe.close_read();
      return;
    }
    s.pending.append(buffer, size_t(n));
    std::string lines;
    size_t start = 0;
    for (size_t end; (end = s.pending.find('\n', start)) != std::string::npos; start = end + 1) {
      if (options_.on_line && s.target == 1 && options_.on_line(w.rank, s.pending.substr(start, end - start))) continue;
      lines += fmt::format("[rank {}] ", w.rank);
      lines.append(s.pending, start, end + 1 - start);
    }
    s.pending.erase(0, start);
    if (!lines.empty()) write_all(s.target, lines);
  }

  void signal_running(int sig) {
    for (auto& w : workers_) {
      if (w.running) ::kill(w.pid, sig);
    }
  }

  // Forwards every open output stream that has something to read; false
  // when no stream is open and no worker runs any more.
  bool forward_output() {
    std::vector<pollfd> fds;
    std::vector<std::pair<Worker*, Stream*>> owners;
    for (auto& w : workers_) {
      for (Stream* s : {&w.out, &w.err}) {
        if (!s->open) continue;
        fds.push_back({s->pipe.read_end(), POLLIN, 0});
        owners.emplace_back(&w, s);
      }
    }
    const bool any_running = std::any_of(workers_.begin(), workers_.end(), [](const Worker& w) { return w.running; });
    if (fds.empty()) {
      if (!any_running) return false;
      ::usleep(50 * 1000);
      return true;
    }
    if (::poll(fds.data(), fds.size(), 100) > 0) {
      for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) forward(*owners[i].first, *owners[i].second);
      }
    }
    return true;
  }

  // Collects the workers that exited; true when the first failure is among them.
  bool reap() {
    bool first_failed_now = false;
    for (auto& w : workers_) {
      if (!w.running) continue;
      int status = 0;
      if (::waitpid(w.pid, &status, WNOHANG) != w.pid) continue;
      w.running = false;
      w.status = status;
      if (failed(status) && !first_failure_) {
        first_failure_ = &w;
        first_failed_now = true;
      }
    }
    return first_failed_now;
  }

  void supervise() {
    constexpr Clock::time_point never = Clock::time_point::max();
    Clock::time_point terminate_at = never, kill_at = never;
    bool interrupted = false;
    while (forward_output()) {
      // After a failure the others normally notice at once and exit naming the lost rank.
      if (reap()) terminate_at = Clock::now() + options_.timeout + std::chrono::seconds(10);
      if (cancel_.cancelled() && !interrupted) {
        interrupted = true;
        signal_running(SIGTERM);
        kill_at = Clock::now() + std::chrono::seconds(10);
      }
      const auto now = Clock::now();
      if (now >= terminate_at) {
        terminate_at = never;
        signal_running(SIGTERM);
        kill_at = now + std::chrono::seconds(5);
      }
      if (now >= kill_at) {
        kill_at = never;
        signal_running(SIGKILL);
      }
    }
    if (interrupted) throw Interrupted();
    if (first_failure_) throw Error(failure_message());
  }

  std::string failure_message() const {
    std::vector<std::string> others;
    for (const auto& w : workers_) {
      if (&w != first_failure_ && failed(w.status)) others.push_back(fmt::format("rank {}", w.rank));
    }
    return fmt::format("worker rank {} (local rank {}, pid {}) {}{}", first_failure_->rank, first_failure_->local_rank,
                       first_failure_->pid, describe_exit(first_failure_->status),
                       others.empty() ? "" : fmt::format("; then {} failed too", fmt::join(others, ", ")));
  }

  LaunchOptions options_;
  CancelToken cancel_;
  std::vector<Worker> workers_;
  Worker* first_failure_ = nullptr;
};

}  // namespace

void launch_workers(const LaunchOptions& options, const CancelToken& cancel) {
  if (options.nproc_per_node < 1 || options.nnodes < 1 || options.node_rank < 0 ||
      options.node_rank >= options.nnodes) {
    throw Error(fmt::format("--nproc-per-node {} --nnodes {} --node-rank {}: need N >= 1, M >= 1 and 0 <= K < M",
                            options.nproc_per_node, options.nnodes, options.node_rank));
  }
  if (backends_built() == "none") {
    throw Error("this build has no distributed backend (LibTorch's c10d with Gloo or NCCL was not found when it was "
                "built): --nproc-per-node needs one");
  }
  // The node that hosts rank 0 hosts the store: say now if its port is taken.
  if (options.node_rank == 0) ensure_port_free(options.master_addr, options.master_port);
  Launch launch(options, cancel);
  launch.run();
}

}  // namespace vidpred::dist
