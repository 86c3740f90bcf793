#include <ATen/ATen.h>

#include "model/ssim.h"
#include "pipeline/config/registry.h"
#include "stages/metrics/metric.h"

namespace vidpred::stages {
namespace {

// Structural similarity as the reference computes it (model/ssim.h), in
// float64: a 54x54 map for 64x64 frames. A NaN counts as -1.
class SsimMetric : public Metric {
 public:
  using Interface = Metric;
  static constexpr const char* kName = "ssim";
  static constexpr const char* kSummary = "structural similarity (11x11 Gaussian window, sigma 1.5, valid, float64)";
  std::string name() const override { return kName; }
  std::string axis_label() const override { return "SSIM"; }
  bool higher_is_better() const override { return true; }

  at::Tensor per_step(const at::Tensor& prediction, const at::Tensor& truth) const override {
    const int64_t B = prediction.size(0), S = prediction.size(1);
    at::Tensor x = prediction.to(at::kDouble).flatten(0, 1);
    at::Tensor value = model::structural_similarity(x, truth.to(at::kDouble).reshape_as(x)).reshape({B, S});
    return at::where(at::isnan(value), at::full_like(value, -1.0), value);
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(SsimMetric)
}  // namespace vidpred::stages
