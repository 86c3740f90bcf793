#include "model/batchnorm.h"

#include <torch/torch.h>

namespace vidpred::model {

namespace {

// Torch's running-statistics rule (momentum, or a cumulative average when
// momentum is unset), applied once per frame batch in order: `mean` and
// `unbiased_var` hold `groups` frame batches' statistics one after another.
template <int64_t Dims>
void update_running_stats(SyncBatchNormImpl<Dims>& bn, const at::Tensor& mean, const at::Tensor& unbiased_var,
                          int64_t groups) {
  const auto& o = bn.options;
  if (!o.track_running_stats() || !bn.running_mean.defined()) return;
  torch::NoGradGuard no_grad;
  const int64_t channels = o.num_features();
  for (int64_t g = 0; g < groups; ++g) {
    double factor = o.momentum() ? *o.momentum() : 0.0;
    if (bn.num_batches_tracked.defined()) {
      bn.num_batches_tracked += 1;
      if (!o.momentum()) factor = 1.0 / bn.num_batches_tracked.template item<double>();
    }
    at::Tensor m = mean.narrow(0, g * channels, channels), v = unbiased_var.narrow(0, g * channels, channels);
    bn.running_mean.mul_(1.0 - factor).add_(m.to(bn.running_mean.scalar_type()), factor);
    bn.running_var.mul_(1.0 - factor).add_(v.to(bn.running_var.scalar_type()), factor);
  }
}

// The affine parameters, once per frame batch of a grouped input.
at::Tensor per_group(const at::Tensor& parameter, int64_t groups) {
  return !parameter.defined() || groups == 1 ? parameter : parameter.repeat({groups});
}

// Batch normalisation with the mean and variance of the global batch: the
// per-channel sum, sum of squares and element count of this replica's part
// are summed across replicas in one collective (so forward and backward cost
// one small all-reduce each), then normalised as torch's BatchNorm does.
// `x` holds `groups` frame batches side by side as channels.
template <int64_t Dims>
at::Tensor global_batch_norm(SyncBatchNormImpl<Dims>& bn, StatsReducer& reducer, const at::Tensor& x,
                             int64_t groups) {
  const int64_t channels = x.size(1);
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  // Sums in float64: the variance comes from E[x^2] - E[x]^2, which loses
  // digits in float32 that torch's own kernel (a float64 accumulation) keeps.
  at::Tensor x64 = x.to(at::kDouble);
  at::Tensor count = torch::full({1}, double(x.numel() / std::max<int64_t>(channels, 1)), x64.options());
  at::Tensor local = torch::cat({x64.sum(dims), (x64 * x64).sum(dims), count});
  at::Tensor global = reducer.all_sum(local);
  at::Tensor sum = global.narrow(0, 0, channels), sum_sq = global.narrow(0, channels, channels);
  at::Tensor n = global.narrow(0, 2 * channels, 1);
  at::Tensor mean = sum / n;
  at::Tensor var = (sum_sq / n - mean * mean).clamp_min(0.0);
  update_running_stats(bn, mean.detach(), (var * n / (n - 1).clamp_min(1.0)).detach(), groups);

  std::vector<int64_t> shape(size_t(x.dim()), 1);
  shape[1] = channels;
  at::Tensor scale = torch::rsqrt(var + bn.options.eps());
  at::Tensor shift = -mean * scale;
  if (bn.options.affine()) {
    at::Tensor weight = per_group(bn.weight, groups).to(at::kDouble);
    scale = scale * weight;
    shift = shift * weight + per_group(bn.bias, groups).to(at::kDouble);
  }
  const auto dtype = x.scalar_type();
  return x * scale.to(dtype).view(shape) + shift.to(dtype).view(shape);
}

// This replica's own statistics per frame batch, in one kernel: torch's
// batch norm over the frame batches side by side as channels, its saved
// statistics then feeding the running ones frame batch by frame batch.
template <int64_t Dims>
at::Tensor grouped_batch_norm(SyncBatchNormImpl<Dims>& bn, const at::Tensor& x, int64_t groups) {
  const double eps = bn.options.eps();
  auto [out, mean, invstd] = at::native_batch_norm(x, per_group(bn.weight, groups), per_group(bn.bias, groups), {},
                                                   {}, /*training=*/true, 0.0, eps);
  const double n = double(x.numel() / x.size(1));
  at::Tensor biased = (invstd.detach().to(at::kDouble).pow(-2) - eps).clamp_min(0.0);
  update_running_stats(bn, mean.detach(), biased * (n / std::max(1.0, n - 1)), groups);
  return out;
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
  if (this->is_training() && (reducer_ || frames_ > 1)) {
    TORCH_CHECK(input.size(0) % frames_ == 0, "SyncBatchNorm: ", input.size(0), " rows are not whole samples of ",
                frames_, " frames");
    // Sample-major rows (sample b, frame t at row b * frames + t): frame t's
    // batch is channel block t of a (B, frames * C, ...) view, no copy.
    std::vector<int64_t> grouped = input.sizes().vec();
    grouped[0] /= frames_;
    grouped[1] *= frames_;
    const at::Tensor x = input.contiguous().view(grouped);
    at::Tensor out = reducer_ ? global_batch_norm(*this, *reducer_, x, frames_) : grouped_batch_norm(*this, x, frames_);
    return out.view(input.sizes());
  }
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

FrameBatches::FrameBatches(torch::nn::Module& root, int64_t frames) : root_(root) {
  for_each_norm(root_, [&](auto& norm) { norm.set_frames(frames); });
}

FrameBatches::~FrameBatches() {
  for_each_norm(root_, [&](auto& norm) { norm.set_frames(1); });
}

}  // namespace vidpred::model
