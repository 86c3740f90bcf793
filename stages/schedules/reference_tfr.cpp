#include <algorithm>

#include "pipeline/config/registry.h"
#include "stages/schedules/teacher_forcing.h"

namespace vidpred::stages {
namespace {

// The reference formula, decay_step included, with the reference's timing:
// it updates the ratio at the end of epoch k >= start_decay_epoch from k, so
// epoch e trains with the value for k = e - 1 and the first decayed epoch is
// start + 2 (counting from 0). With the reference's default decay_step of 0
// it never decays; `linear` is the schedule that does.
class ReferenceTeacherForcing : public TeacherForcing {
 public:
  using Interface = TeacherForcing;
  static constexpr const char* kName = "reference";
  static constexpr const char* kSummary =
      "the reference's formula and timing: epoch e uses tfr until e - 1 >= start_decay_epoch, then clamp(1 - (e - 1 - s) (1 - lower) / (E - s) * decay_step)";
  static Schema schema() {
    return Schema()
        .real("tfr", 1.0, "ratio before decay starts", {0.0, 1.0})
        .integer("start_decay_epoch", 15, "the decay is computed from the end of this epoch on (first used by epoch start + 2)", {0, {}})
        .real("decay_step", 0.0, "decay multiplier (the reference's default 0 never decays)", {0.0, {}})
        .real("lower_bound", 0.0, "the ratio never goes below this", {0.0, 1.0});
  }
  explicit ReferenceTeacherForcing(const Params& p)
      : tfr_(p.real("tfr")),
        start_(p.integer("start_decay_epoch")),
        decay_step_(p.real("decay_step")),
        lower_(p.real("lower_bound")) {}
  double ratio(int64_t epoch, int64_t epochs) const override {
    const int64_t updated_after = epoch - 1;  // the epoch whose end set the ratio
    if (updated_after < start_ || epochs <= start_) return tfr_;
    double value = 1.0 - double(updated_after - start_) * (1.0 - lower_) / double(epochs - start_) * decay_step_;
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
