#include "pipeline/config/registry.h"
#include "stages/priors/prior_stage.h"

namespace vidpred::stages {
namespace {

class FixedPriorStage : public PriorStage {
 public:
  using Interface = PriorStage;
  static constexpr const char* kName = "fixed";
  static constexpr const char* kSummary = "N(0, I), the reference (SVG-FP)";
  std::shared_ptr<model::PriorImpl> build(const model::CvaeOptions&) const override {
    return std::make_shared<model::FixedPriorImpl>();
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(FixedPriorStage)
}  // namespace vidpred::stages
