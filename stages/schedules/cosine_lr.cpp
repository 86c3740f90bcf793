#include <algorithm>
#include <cmath>

#include "pipeline/config/registry.h"
#include "stages/schedules/learning_rate.h"

namespace vidpred::stages {
namespace {

// Large steps while the model is far from a solution, small ones at the end,
// where a constant rate keeps it hopping around a blurrier average.
class CosineLearningRate : public LearningRateSchedule {
 public:
  using Interface = LearningRateSchedule;
  static constexpr const char* kName = "cosine";
  static constexpr const char* kSummary = "factor 1 until start, then down a half cosine to final at the run's end";
  static Schema schema() {
    return Schema()
        .real("start", 0.0, "share of the run before the decay begins", {0.0, 1.0})
        .real("final", 0.0, "factor at the end of the run", {0.0, 1.0});
  }
  explicit CosineLearningRate(const Params& p) : start_(p.real("start")), final_(p.real("final")) {
    if (start_ >= 1.0) p.fail("start", "must be below 1 (the decay needs some of the run)");
  }
  double factor(double progress) const override {
    if (progress <= start_) return 1.0;
    const double t = std::min(1.0, (progress - start_) / (1.0 - start_));
    return final_ + (1.0 - final_) * 0.5 * (1.0 + std::cos(std::acos(-1.0) * t));
  }

 private:
  double start_, final_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(CosineLearningRate)
}  // namespace vidpred::stages
