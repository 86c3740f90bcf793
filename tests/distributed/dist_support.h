#pragma once
// Support for the data-parallel tests: free loopback ports, workers started
// as a launcher or torchrun would start them (environment variables), their
// output in a file that can be read while they run, and checkpoints compared.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "pipeline/distributed/process_group.h"

namespace vidpred::test {

// The multi-process tests train on the CPU, which needs Gloo; a build with
// NCCL only (a CUDA LibTorch without Gloo's headers) skips them:
// `* doctest::skip(!test::kCpuGroups)`.
inline const bool kCpuGroups = dist::backend_available(false);

// A port nobody holds, as a launch without --master-port picks it.
uint16_t free_port();

// `vidpred ARGS...` in the background, with extra environment variables,
// stdout and stderr appended to `log`.
class Worker {
 public:
  Worker(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
         std::filesystem::path log);
  ~Worker();  // kills and reaps a worker still running
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  pid_t pid() const { return pid_; }
  std::string output() const;
  // Waits until output() contains `text` (true) or the process ended or `limit` passed (false).
  bool wait_for_output(const std::string& text, std::chrono::milliseconds limit);
  // The exit status (128 + signal when killed), or nullopt when still running after `limit`.
  std::optional<int> wait(std::chrono::milliseconds limit);
  void signal(int sig);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path log_;
};

// The environment of rank `rank` of `world`, as torchrun sets it, on 127.0.0.1:port.
std::map<std::string, std::string> rank_env(int rank, int world, uint16_t port);

// Parameters and buffers of a run's last.pt, by name.
std::map<std::string, at::Tensor> checkpoint_tensors(const std::filesystem::path& run_dir);
// The largest absolute difference between two such sets (which must have the same names).
double max_difference(const std::map<std::string, at::Tensor>& a, const std::map<std::string, at::Tensor>& b);

}  // namespace vidpred::test
