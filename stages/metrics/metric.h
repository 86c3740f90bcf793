#pragma once
#include <string>

#include <ATen/core/Tensor.h>

namespace vidpred::stages {

// A per-frame quality measure. Inputs are (B, S, C, H, W) float frames in
// [0, 1] on any device; the result is (B, S) float64 on the same device, one
// value per sample and step. Never inf or NaN.
class Metric {
 public:
  static constexpr const char* kKind = "metric";
  static constexpr const char* kKindDoc = "a per-frame quality measure of predictions against the truth";
  virtual ~Metric() = default;
  virtual std::string name() const = 0;
  virtual bool higher_is_better() const = 0;
  virtual at::Tensor per_step(const at::Tensor& prediction, const at::Tensor& truth) const = 0;
};

// The cap that PSNR reports for a frame identical to the truth (MSE 0), in dB.
inline constexpr double kPsnrCap = 100.0;

}  // namespace vidpred::stages
