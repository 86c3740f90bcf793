#include "tests/distributed/dist_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <torch/torch.h>

#include "pipeline/distributed/port.h"
#include "pipeline/run/checkpoint.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_schema.h"
#include "stages/register.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace vidpred::test {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

uint16_t free_port() { return dist::pick_free_port(); }

Worker::Worker(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, fs::path log)
    : log_(std::move(log)) {
  std::vector<std::string> argv_text{VIDPRED_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (!env.count(entry.substr(0, entry.find('=')))) env_text.push_back(entry);
  }
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log_.string());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

Worker::~Worker() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string Worker::output() const { return read_text(log_); }

bool Worker::wait_for_output(const std::string& text, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (output().find(text) != std::string::npos) return true;
    if (wait(std::chrono::milliseconds(0))) return output().find(text) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::optional<int> Worker::wait(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!status_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

void Worker::signal(int sig) { ::kill(pid_, sig); }

std::map<std::string, std::string> rank_env(int rank, int world, uint16_t port) {
  return {{"RANK", std::to_string(rank)},       {"WORLD_SIZE", std::to_string(world)},
          {"LOCAL_RANK", std::to_string(rank)}, {"LOCAL_WORLD_SIZE", std::to_string(world)},
          {"MASTER_ADDR", "127.0.0.1"},         {"MASTER_PORT", std::to_string(port)}};
}

std::map<std::string, at::Tensor> checkpoint_tensors(const fs::path& run_dir) {
  Registry registry = stages::make_registry();
  Config config = Config::load(run_dir / "config.toml", {}, run_schema(), registry);
  model::Cvae model = build_model(config, registry);
  load_checkpoint(run_dir / "last.pt", model, nullptr);
  std::map<std::string, at::Tensor> out;
  for (const auto& p : model->named_parameters()) out[p.key()] = p.value().detach().clone();
  for (const auto& b : model->named_buffers()) out[b.key()] = b.value().clone();
  return out;
}

double max_difference(const std::map<std::string, at::Tensor>& a, const std::map<std::string, at::Tensor>& b) {
  if (a.size() != b.size()) throw std::runtime_error("different tensor sets");
  double worst = 0;
  for (const auto& [name, t] : a) {
    at::Tensor other = b.at(name);
    worst = std::max(worst, (t.to(at::kDouble) - other.to(at::kDouble)).abs().max().item<double>());
  }
  return worst;
}

}  // namespace vidpred::test
