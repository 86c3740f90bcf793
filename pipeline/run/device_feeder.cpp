#include "pipeline/run/device_feeder.h"

#include <torch/torch.h>

#include "pipeline/core/stopwatch.h"

#ifdef VIDPRED_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace vidpred {

bool wants_pinned_memory(c10::Device device) { return device.is_cuda(); }

#ifdef VIDPRED_CUDA
struct DeviceFeeder::CudaState {
  explicit CudaState(c10::Device device) : side(c10::cuda::getStreamFromPool(false, device.index())) {}
  c10::cuda::CUDAStream side;
  std::optional<stages::Batch> ahead;  // on the device, copy possibly still running
  at::cuda::CUDAEvent copied;
};
#else
struct DeviceFeeder::CudaState {};
#endif

DeviceFeeder::DeviceFeeder(stages::BatchStream& stream, c10::Device device) : stream_(stream), device_(device) {
#ifdef VIDPRED_CUDA
  if (device_.is_cuda()) cuda_ = std::make_unique<CudaState>(device_);
#endif
}

DeviceFeeder::~DeviceFeeder() = default;

std::optional<stages::Batch> DeviceFeeder::pull() {
  const Stopwatch watch;
  auto batch = stream_.next();
  wait_seconds_ += watch.seconds();
  return batch;
}

std::optional<stages::Batch> DeviceFeeder::next() {
  if (!cuda_) {
    auto batch = pull();
    if (batch && !device_.is_cpu()) {
      batch->frames = batch->frames.to(device_);
      batch->cond = batch->cond.to(device_);
    }
    return batch;
  }
#ifdef VIDPRED_CUDA
  auto start_copy = [this](std::optional<stages::Batch> host) -> std::optional<stages::Batch> {
    if (!host) return std::nullopt;
    c10::cuda::CUDAStreamGuard guard(cuda_->side);
    host->frames = host->frames.to(device_, /*non_blocking=*/true);
    host->cond = host->cond.to(device_, /*non_blocking=*/true);
    cuda_->copied.record(cuda_->side);
    return host;
  };
  if (!cuda_->ahead) cuda_->ahead = start_copy(pull());
  std::optional<stages::Batch> current = std::move(cuda_->ahead);
  cuda_->ahead.reset();
  if (!current) return std::nullopt;
  auto main = c10::cuda::getCurrentCUDAStream(device_.index());
  cuda_->copied.block(main);
  // The tensors were allocated on the side stream and are used on the main one.
  current->frames.record_stream(main);
  current->cond.record_stream(main);
  cuda_->ahead = start_copy(pull());
  return current;
#else
  return std::nullopt;
#endif
}

}  // namespace vidpred
