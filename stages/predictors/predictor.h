#pragma once
#include <string>

#include <ATen/core/Tensor.h>

namespace vidpred::stages {

// A baseline that predicts frames without a model, reported beside the model
// so that a user sees whether it learned more than the obvious.
class Predictor {
 public:
  static constexpr const char* kKind = "predictor";
  static constexpr const char* kKindDoc = "baseline predictors for evaluation";
  virtual ~Predictor() = default;
  virtual std::string name() const = 0;
  // Observed frames (B, >= n_past, C, H, W) -> predictions (B, horizon, C, H, W).
  virtual at::Tensor predict(const at::Tensor& frames, int64_t n_past, int64_t horizon) const = 0;
};

}  // namespace vidpred::stages
