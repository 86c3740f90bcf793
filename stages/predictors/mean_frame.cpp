#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "stages/predictors/predictor.h"

namespace vidpred::stages {
namespace {

class MeanFramePredictor : public Predictor {
 public:
  using Interface = Predictor;
  static constexpr const char* kName = "mean_frame";
  static constexpr const char* kAliases[] = {"mean-frame"};  // its name until stage names were all snake_case
  static constexpr const char* kSummary = "repeats the mean of the observed frames";
  std::string name() const override { return kName; }
  at::Tensor predict(const at::Tensor& frames, int64_t n_past, int64_t horizon) const override {
    return frames.narrow(1, 0, n_past).mean(1, true).expand({-1, horizon, -1, -1, -1}).contiguous();
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(MeanFramePredictor)
}  // namespace vidpred::stages
