#pragma once
#include <string>

#include <ATen/core/Tensor.h>

namespace vidpred::stages {

// What a metric may look at besides the frames it scores.
struct MetricContext {
  // (B, C, H, W): the last frame the model observed, one per row of the
  // batch, for metrics that score against what changed since.
  at::Tensor last_observed;
};

// A per-frame quality measure. Inputs are (B, S, C, H, W) float frames in
// [0, 1] on any device; the result is (B, S) float64 on the same device, one
// value per sample and step. Never inf; NaN only for a frame a metric
// documents it cannot score, which evaluation leaves out of every mean.
class Metric {
 public:
  static constexpr const char* kKind = "metric";
  static constexpr const char* kKindDoc = "a per-frame quality measure of predictions against the truth";
  virtual ~Metric() = default;
  virtual std::string name() const = 0;
  // The name with its unit, for plot axes: "PSNR (dB)".
  virtual std::string axis_label() const { return name(); }
  virtual bool higher_is_better() const = 0;
  // Frame-pair metrics compare prediction and truth only.
  virtual at::Tensor per_step(const at::Tensor& prediction, const at::Tensor& truth) const = 0;
  // What evaluation calls. A metric that needs the context overrides this;
  // the others never see it.
  virtual at::Tensor score(const at::Tensor& prediction, const at::Tensor& truth, const MetricContext&) const {
    return per_step(prediction, truth);
  }
};

// The cap that PSNR reports for a frame identical to the truth (MSE 0), in dB.
inline constexpr double kPsnrCap = 100.0;

}  // namespace vidpred::stages
