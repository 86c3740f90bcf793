#pragma once
// BatchNorm that a data-parallel run can switch to statistics over the global
// batch (SyncBatchNorm), without model/ knowing anything of processes: the run
// hands each norm a StatsReducer, a differentiable sum across replicas.
//
// Parameters and buffers carry torch's BatchNorm names (weight, bias,
// running_mean, running_var, num_batches_tracked), so checkpoints and
// parameter counts are those of torch::nn::BatchNorm; without a reducer (or in
// eval mode) forward() is torch's batch_norm. The module owns its tensors
// rather than deriving from torch::nn::BatchNorm2dImpl: Debian's LibTorch 1.13
// does not export that base's pretty_print, which a derived class's vtables need.
#include <cstdint>
#include <memory>
#include <ostream>

#include <torch/nn/cloneable.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/pimpl.h>

namespace vidpred::model {

// Sums a tensor over every replica of a data-parallel run. It must be
// differentiable: the gradient of a sum across replicas is the sum across
// replicas of the incoming gradients.
class StatsReducer {
 public:
  virtual ~StatsReducer() = default;
  virtual at::Tensor all_sum(const at::Tensor& local) = 0;
};

// BatchNorm over inputs of `Dims` dimensions (2: (N, C); 4: (N, C, H, W)).
template <int64_t Dims>
class SyncBatchNormImpl : public torch::nn::Cloneable<SyncBatchNormImpl<Dims>> {
 public:
  explicit SyncBatchNormImpl(int64_t features) : SyncBatchNormImpl(torch::nn::BatchNormOptions(features)) {}
  explicit SyncBatchNormImpl(torch::nn::BatchNormOptions options);

  void reset() override;
  at::Tensor forward(const at::Tensor& input);
  void pretty_print(std::ostream& stream) const override;

  void set_stats_reducer(std::shared_ptr<StatsReducer> reducer) { reducer_ = std::move(reducer); }
  // Inputs hold `frames` frame batches per sample (see FrameBatches).
  void set_frames(int64_t frames) { frames_ = frames; }
  // Weights ~ N(1, std), biases 0: the reference's initialisation.
  void init_affine(double std);

  torch::nn::BatchNormOptions options;
  at::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  std::shared_ptr<StatsReducer> reducer_;
  int64_t frames_ = 1;
};

using SyncBatchNorm1dImpl = SyncBatchNormImpl<2>;
using SyncBatchNorm2dImpl = SyncBatchNormImpl<4>;
TORCH_MODULE_IMPL(SyncBatchNorm1d, SyncBatchNorm1dImpl);
TORCH_MODULE_IMPL(SyncBatchNorm2d, SyncBatchNorm2dImpl);

// Hands `reducer` to every SyncBatchNorm under `root` (null: per-replica
// statistics again).
void set_stats_reducer(torch::nn::Module& root, const std::shared_ptr<StatsReducer>& reducer);

// While alive, every SyncBatchNorm under `root` takes its input as the
// frames of whole samples, sample-major ((B * frames, C, ...): sample b's
// frame t at row b * frames + t), and normalises each frame batch with its
// own statistics, updating the running ones frame by frame: what `frames`
// separate calls, one per frame batch in order, would compute, in one call.
class FrameBatches {
 public:
  FrameBatches(torch::nn::Module& root, int64_t frames);
  ~FrameBatches();
  FrameBatches(const FrameBatches&) = delete;
  FrameBatches& operator=(const FrameBatches&) = delete;

 private:
  torch::nn::Module& root_;
};

}  // namespace vidpred::model
