#include <limits>

#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "pipeline/core/error.h"
#include "stages/metrics/metric.h"

namespace vidpred::stages {
namespace {

// PSNR where the video moves. A pixel moved when any channel of the truth
// differs from the last observed frame by more than `threshold`; the score is
// 10 log10(1 / mse), mse over the moved pixels' three channels. copy_last
// misses every moved pixel by more than the threshold, and a blur smears them,
// where plain PSNR is carried by the static background. A frame in which
// nothing moved has no score (NaN) and is left out of the means; an exact
// prediction of the moved pixels counts as kPsnrCap dB.
class MotionPsnrMetric : public Metric {
 public:
  using Interface = Metric;
  static constexpr const char* kName = "motion_psnr";
  static constexpr const char* kSummary =
      "PSNR in dB over the pixels that moved since the last observed frame (capped at 100; none moved: no score)";
  static Schema schema() {
    return Schema().real("threshold", 0.1,
                         "a pixel moved when a channel of the truth differs from the last observed frame by more "
                         "than this (frames in [0, 1])",
                         {0.0, 1.0});
  }
  explicit MotionPsnrMetric(const Params& p) : threshold_(p.real("threshold")) {}
  std::string name() const override { return kName; }
  std::string axis_label() const override { return "motion PSNR (dB)"; }
  bool higher_is_better() const override { return true; }

  at::Tensor per_step(const at::Tensor&, const at::Tensor&) const override {
    throw Error("motion_psnr scores against the last observed frame: call score() with a MetricContext");
  }

  at::Tensor score(const at::Tensor& prediction, const at::Tensor& truth, const MetricContext& context) const override {
    if (!context.last_observed.defined()) {
      throw Error("motion_psnr needs the last observed frame, and its caller gave none");
    }
    at::Tensor last = context.last_observed.to(at::kDouble).unsqueeze(1);  // (B, 1, C, H, W)
    at::Tensor real = truth.to(at::kDouble);
    at::Tensor moved = ((real - last).abs().amax(2, true) > threshold_).to(at::kDouble);  // (B, S, 1, H, W)
    at::Tensor values = moved.sum({2, 3, 4}) * double(truth.size(2));                      // scored values per frame
    at::Tensor squared = ((prediction.to(at::kDouble) - real).pow(2) * moved).sum({2, 3, 4});
    at::Tensor psnr = (10.0 * at::log10(values / squared)).clamp_max(kPsnrCap);
    return at::where(values > 0, psnr, at::full_like(psnr, std::numeric_limits<double>::quiet_NaN()));
  }

 private:
  double threshold_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(MotionPsnrMetric)
}  // namespace vidpred::stages
