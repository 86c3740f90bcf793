#pragma once
// Brings batches from the data graph to the model's device. On CUDA the
// batches are page-locked and the copy of batch k+1 runs on a side stream
// while batch k trains; on the CPU it only measures the wait for data.
#include <memory>
#include <optional>

#include <c10/core/Device.h>

#include "stages/data/data_source.h"

namespace vidpred {

class DeviceFeeder {
 public:
  DeviceFeeder(stages::BatchStream& stream, c10::Device device);
  ~DeviceFeeder();
  std::optional<stages::Batch> next();
  double wait_seconds() const { return wait_seconds_; }  // time next() spent blocked on the graph

 private:
  struct CudaState;
  std::optional<stages::Batch> pull();

  stages::BatchStream& stream_;
  c10::Device device_;
  double wait_seconds_ = 0;
  std::unique_ptr<CudaState> cuda_;  // null on the CPU
};

// Whether batches for `device` should be page-locked.
bool wants_pinned_memory(c10::Device device);

}  // namespace vidpred
