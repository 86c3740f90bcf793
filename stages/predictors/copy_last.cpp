#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "stages/predictors/predictor.h"

namespace vidpred::stages {
namespace {

class CopyLastPredictor : public Predictor {
 public:
  using Interface = Predictor;
  static constexpr const char* kName = "copy_last";
  static constexpr const char* kAliases[] = {"copy-last"};  // its name until stage names were all snake_case
  static constexpr const char* kSummary = "repeats the last observed frame";
  std::string name() const override { return kName; }
  at::Tensor predict(const at::Tensor& frames, int64_t n_past, int64_t horizon) const override {
    return frames.select(1, n_past - 1).unsqueeze(1).expand({-1, horizon, -1, -1, -1}).contiguous();
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(CopyLastPredictor)
}  // namespace vidpred::stages
