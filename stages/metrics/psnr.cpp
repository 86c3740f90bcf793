#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "stages/metrics/metric.h"

namespace vidpred::stages {
namespace {

// Per channel 10 log10(1 / mse_c), averaged over channels. A channel equal to
// the truth (mse 0) counts as kPsnrCap dB instead of infinity.
class PsnrMetric : public Metric {
 public:
  using Interface = Metric;
  static constexpr const char* kName = "psnr";
  static constexpr const char* kSummary = "peak signal-to-noise ratio in dB (per channel, averaged; capped at 100)";
  std::string name() const override { return kName; }
  std::string axis_label() const override { return "PSNR (dB)"; }
  bool higher_is_better() const override { return true; }
  at::Tensor per_step(const at::Tensor& prediction, const at::Tensor& truth) const override {
    at::Tensor mse = (prediction.to(at::kDouble) - truth.to(at::kDouble)).pow(2).mean({3, 4});  // (B, S, C)
    at::Tensor psnr = (10.0 * at::log10(1.0 / mse)).clamp_max(kPsnrCap);
    return psnr.mean(2);
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(PsnrMetric)
}  // namespace vidpred::stages
