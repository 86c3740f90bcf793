#include <algorithm>

#include "pipeline/config/registry.h"
#include "stages/schedules/teacher_forcing.h"

namespace vidpred::stages {
namespace {

// The reference formula, decay_step included. With the reference's default
// decay_step of 0 it never decays; `linear` is the schedule that does.
class ReferenceTeacherForcing : public TeacherForcing {
 public:
  using Interface = TeacherForcing;
  static constexpr const char* kName = "reference";
  static constexpr const char* kSummary =
      "the reference's formula: tfr until start_decay_epoch, then clamp(1 - (e - s) (1 - lower) / (E - s) * decay_step)";
  static Schema schema() {
    return Schema()
        .real("tfr", 1.0, "ratio before decay starts", {0.0, 1.0})
        .integer("start_decay_epoch", 15, "first epoch of the decay", {0, {}})
        .real("decay_step", 0.0, "decay multiplier (the reference's default 0 never decays)", {0.0, {}})
        .real("lower_bound", 0.0, "the ratio never goes below this", {0.0, 1.0});
  }
  explicit ReferenceTeacherForcing(const Params& p)
      : tfr_(p.real("tfr")),
        start_(p.integer("start_decay_epoch")),
        decay_step_(p.real("decay_step")),
        lower_(p.real("lower_bound")) {}
  double ratio(int64_t epoch, int64_t epochs) const override {
    if (epoch < start_ || epochs <= start_) return tfr_;
    double value = 1.0 - double(epoch - start_) * (1.0 - lower_) / double(epochs - start_) * decay_step_;
    return std::clamp(value, lower_, 1.0);
  }

 private:
  double tfr_;
  int64_t start_;
  double decay_step_, lower_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(ReferenceTeacherForcing)
}  // namespace vidpred::stages
