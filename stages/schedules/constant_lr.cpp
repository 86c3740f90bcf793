#include "pipeline/config/registry.h"
#include "stages/schedules/learning_rate.h"

namespace vidpred::stages {
namespace {

class ConstantLearningRate : public LearningRateSchedule {
 public:
  using Interface = LearningRateSchedule;
  static constexpr const char* kName = "constant";
  static constexpr const char* kSummary = "optimizer.lr throughout (the reference)";
  static Schema schema() { return Schema(); }
  explicit ConstantLearningRate(const Params&) {}
  double factor(double) const override { return 1.0; }
};

}  // namespace
VIDPRED_REGISTER_STAGE(ConstantLearningRate)
}  // namespace vidpred::stages
