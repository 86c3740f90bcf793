#include <cmath>

#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "stages/metrics/metric.h"

namespace vidpred::stages {
namespace {

// Structural similarity as the reference computes it: per channel, float64,
// an 11x11 Gaussian window (sigma 1.5, normalised to sum 1), 'valid'
// filtering (a 54x54 map for 64x64 frames), K1 0.01, K2 0.03, data range 1;
// the map's mean, averaged over channels. A NaN counts as -1.
class SsimMetric : public Metric {
 public:
  using Interface = Metric;
  static constexpr const char* kName = "ssim";
  static constexpr const char* kSummary = "structural similarity (11x11 Gaussian window, sigma 1.5, valid, float64)";
  std::string name() const override { return kName; }
  std::string axis_label() const override { return "SSIM"; }
  bool higher_is_better() const override { return true; }

  at::Tensor per_step(const at::Tensor& prediction, const at::Tensor& truth) const override {
    const int64_t B = prediction.size(0), S = prediction.size(1), C = prediction.size(2);
    auto options = prediction.options().dtype(at::kDouble);
    at::Tensor x = prediction.to(at::kDouble).reshape({B * S, C, prediction.size(3), prediction.size(4)});
    at::Tensor y = truth.to(at::kDouble).reshape_as(x);
    at::Tensor window = gaussian_window(options).expand({C, 1, kSize, kSize}).contiguous();
    const std::vector<int64_t> ones{1, 1}, zeros{0, 0};
    auto filter = [&](const at::Tensor& t) {
      return at::conv2d(t, window, at::Tensor(), at::IntArrayRef(ones), at::IntArrayRef(zeros), at::IntArrayRef(ones), C);
    };
    constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    at::Tensor mu_x = filter(x), mu_y = filter(y);
    at::Tensor mu_xx = mu_x * mu_x, mu_yy = mu_y * mu_y, mu_xy = mu_x * mu_y;
    at::Tensor var_x = filter(x * x) - mu_xx, var_y = filter(y * y) - mu_yy, cov = filter(x * y) - mu_xy;
    at::Tensor map = ((2 * mu_xy + c1) * (2 * cov + c2)) / ((mu_xx + mu_yy + c1) * (var_x + var_y + c2));
    at::Tensor value = map.mean({1, 2, 3}).reshape({B, S});  // map mean, channels averaged
    return at::where(at::isnan(value), at::full_like(value, -1.0), value);
  }

 private:
  static constexpr int64_t kSize = 11;
  static constexpr double kSigma = 1.5;

  static at::Tensor gaussian_window(const at::TensorOptions& options) {
    at::Tensor x = at::arange(kSize, options) - double(kSize / 2);
    at::Tensor g = at::exp(-(x * x) / (2 * kSigma * kSigma));
    g = g / g.sum();
    return at::outer(g, g).reshape({1, 1, kSize, kSize});
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(SsimMetric)
}  // namespace vidpred::stages
