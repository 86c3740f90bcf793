#include "model/batchnorm.h"

#include <torch/torch.h>

namespace vidpred::model {

namespace {

// Batch normalisation with the mean and variance of the global batch: the
// per-channel sum, sum of squares and element count of this replica's part
// are summed across replicas in one collective (so forward and backward cost
// one small all-reduce each), then normalised as torch's BatchNorm does.
// Running statistics follow torch's rule (unbiased variance, momentum, or a
// cumulative average when momentum is unset).
template <int64_t Dims>
at::Tensor global_batch_norm(SyncBatchNormImpl<Dims>& bn, StatsReducer& reducer, const at::Tensor& input) {
  const int64_t channels = input.size(1);
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < input.dim(); ++d) dims.push_back(d);
  // Sums in float64: the variance comes from E[x^2] - E[x]^2, which loses
  // digits in float32 that torch's own kernel (a float64 accumulation) keeps.
  at::Tensor x = input.to(at::kDouble);
  at::Tensor count = torch::full({1}, double(input.numel() / std::max<int64_t>(channels, 1)), x.options());
  at::Tensor local = torch::cat({x.sum(dims), (x * x).sum(dims), count});
  at::Tensor global = reducer.all_sum(local);
  at::Tensor sum = global.narrow(0, 0, channels), sum_sq = global.narrow(0, channels, channels);
  at::Tensor n = global.narrow(0, 2 * channels, 1);
  at::Tensor mean = sum / n;
  at::Tensor var = (sum_sq / n - mean * mean).clamp_min(0.0);

  const auto& o = bn.options;
  if (o.track_running_stats() && bn.running_mean.defined()) {
    torch::NoGradGuard no_grad;
    double factor = o.momentum() ? *o.momentum() : 0.0;
    if (bn.num_batches_tracked.defined()) {
      bn.num_batches_tracked += 1;
      if (!o.momentum()) factor = 1.0 / bn.num_batches_tracked.template item<double>();
    }
    at::Tensor unbiased = var * n / (n - 1).clamp_min(1.0);  // tensor ops: no device sync
    bn.running_mean.mul_(1.0 - factor).add_(mean.to(bn.running_mean.scalar_type()), factor);
    bn.running_var.mul_(1.0 - factor).add_(unbiased.to(bn.running_var.scalar_type()), factor);
  }

  std::vector<int64_t> shape(size_t(input.dim()), 1);
  shape[1] = channels;
  at::Tensor scale = torch::rsqrt(var + o.eps());
  at::Tensor shift = -mean * scale;
  if (o.affine()) {
    scale = scale * bn.weight.to(at::kDouble);
    shift = shift * bn.weight.to(at::kDouble) + bn.bias.to(at::kDouble);
  }
  const auto dtype = input.scalar_type();
  return input * scale.to(dtype).view(shape) + shift.to(dtype).view(shape);
}

}  // namespace

template <int64_t Dims>
SyncBatchNormImpl<Dims>::SyncBatchNormImpl(torch::nn::BatchNormOptions options) : options(std::move(options)) {
  reset();
}

template <int64_t Dims>
void SyncBatchNormImpl<Dims>::reset() {
  const int64_t n = options.num_features();
  if (options.affine()) {
    weight = this->register_parameter("weight", torch::ones({n}));
    bias = this->register_parameter("bias", torch::zeros({n}));
  }
  if (options.track_running_stats()) {
    running_mean = this->register_buffer("running_mean", torch::zeros({n}));
    running_var = this->register_buffer("running_var", torch::ones({n}));
    num_batches_tracked = this->register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
  }
}

template <int64_t Dims>
at::Tensor SyncBatchNormImpl<Dims>::forward(const at::Tensor& input) {
  TORCH_CHECK(input.dim() == Dims, "SyncBatchNorm: expected a ", Dims, "-D input, got ", input.dim(), "-D");
  if (reducer_ && this->is_training()) return global_batch_norm(*this, *reducer_, input);
  double factor = options.momentum() ? *options.momentum() : 0.0;
  if (this->is_training() && options.track_running_stats() && num_batches_tracked.defined()) {
    num_batches_tracked += 1;
    if (!options.momentum()) factor = 1.0 / num_batches_tracked.template item<double>();
  }
  return torch::batch_norm(input, weight, bias, running_mean, running_var,
                           this->is_training() || !options.track_running_stats(), factor, options.eps(),
                           /*cudnn_enabled=*/true);
}

template <int64_t Dims>
void SyncBatchNormImpl<Dims>::pretty_print(std::ostream& stream) const {
  stream << "SyncBatchNorm" << (Dims == 2 ? "1d" : "2d") << "(" << options.num_features()
         << ", eps=" << options.eps() << ", affine=" << std::boolalpha << options.affine() << ")";
}

template <int64_t Dims>
void SyncBatchNormImpl<Dims>::init_affine(double std) {
  if (!options.affine()) return;
  torch::NoGradGuard no_grad;
  weight.normal_(1.0, std);
  bias.zero_();
}

template class SyncBatchNormImpl<2>;
template class SyncBatchNormImpl<4>;

namespace {
template <class Visit>
void for_each_norm(torch::nn::Module& root, Visit visit) {
  for (const auto& m : root.modules(/*include_self=*/true)) {
    if (auto* norm = m->as<SyncBatchNorm1d>()) visit(*norm);
    if (auto* norm = m->as<SyncBatchNorm2d>()) visit(*norm);
  }
}
}  // namespace

void set_stats_reducer(torch::nn::Module& root, const std::shared_ptr<StatsReducer>& reducer) {
  for_each_norm(root, [&](auto& norm) { norm.set_stats_reducer(reducer); });
}

}  // namespace vidpred::model
