#pragma once
// The process group of a data-parallel run, on PyTorch's c10d: a TCPStore
// rendezvous at MASTER_ADDR:MASTER_PORT (hosted by rank 0), then Gloo for CPU
// tensors or NCCL for CUDA tensors. RAII: joining is construction, leaving is
// destruction.
//
// Every collective waits with the group's timeout. When one fails (a peer
// died, hung or failed), the group asks the store which rank is lost and
// throws a vidpred::Error naming it; it is then broken, and its destructor
// leaves without touching the backend (whose threads may be stuck).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "pipeline/distributed/env.h"

namespace vidpred::dist {

struct GroupOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};  // rendezvous and every collective
  bool cuda = false;  // NCCL (when built in) instead of Gloo
  c10::Device device = c10::kCPU;  // where this rank's tensors live
};

// Seconds spent waiting in collectives, for the benchmarks.
struct CollectiveTimes {
  double seconds = 0;
  int64_t count = 0;
};

// A collective in flight.
class Pending {
 public:
  Pending() = default;
  void wait();  // throws vidpred::Error naming the lost rank on failure
  bool valid() const { return static_cast<bool>(wait_); }

 private:
  friend class ProcessGroup;
  explicit Pending(std::function<void()> wait) : wait_(std::move(wait)) {}
  std::function<void()> wait_;
};

// The device of a worker's tensors: in a CUDA run, local rank k of a machine
// takes GPU k modulo `gpus`; any other device stays as the run resolved it.
c10::Device worker_device(c10::Device run_device, const WorkerEnv& env, int64_t gpus);
// A worker's group: NCCL on its own GPU in a CUDA run, Gloo on the CPU otherwise.
GroupOptions worker_group_options(const WorkerEnv& env, c10::Device run_device, std::chrono::milliseconds timeout);

class ProcessGroup;
// The one way a run joins its process group (training and the benchmarks):
// null in a single process (see worker_env), else this worker's group, with
// its device set as worker_group_options says.
std::unique_ptr<ProcessGroup> join_worker_group(c10::Device run_device, std::chrono::milliseconds timeout);

// True when this build has a c10d backend for the device.
bool backend_available(bool cuda);
// "gloo", "nccl", "gloo, nccl" or "none".
std::string backends_built();

class ProcessGroup {
 public:
  ProcessGroup(const WorkerEnv& env, const GroupOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;
  const WorkerEnv& env() const;
  std::string backend() const;
  // Where this rank's tensors and collectives live.
  c10::Device device() const;

  // Sums `tensor` in place over the ranks (contiguous, same shape everywhere).
  void all_sum(at::Tensor& tensor);
  Pending all_sum_async(at::Tensor tensor);
  // Overwrites `tensor` with rank `root`'s.
  void broadcast(at::Tensor& tensor, int root = 0);
  void barrier();

  // This rank is failing with `message`: the others will name it. Also makes
  // rank 0 keep the store up a moment for the others to read it.
  void report_failure(const std::string& message) noexcept;

  const CollectiveTimes& times() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vidpred::dist
