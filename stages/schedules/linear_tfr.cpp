#include <algorithm>

#include "pipeline/config/registry.h"
#include "stages/schedules/teacher_forcing.h"

namespace vidpred::stages {
namespace {

// Unlike `reference`, the ratio is a function of the epoch it is used in, with
// no epoch of lag: epoch start_decay_epoch still uses tfr, and end_epoch
// itself trains with lower_bound.
class LinearTeacherForcing : public TeacherForcing {
 public:
  using Interface = TeacherForcing;
  static constexpr const char* kName = "linear";
  static constexpr const char* kSummary = "tfr until start_decay_epoch, then linearly down to lower_bound at end_epoch (no epoch of lag, unlike reference)";
  static Schema schema() {
    return Schema()
        .real("tfr", 1.0, "ratio before decay starts", {0.0, 1.0})
        .integer("start_decay_epoch", 15, "first epoch of the decay", {0, {}})
        .integer("end_epoch", 0, "epoch at which lower_bound is reached (0: the last epoch)", {0, {}})
        .real("lower_bound", 0.0, "final ratio", {0.0, 1.0});
  }
  explicit LinearTeacherForcing(const Params& p)
      : tfr_(p.real("tfr")),
        start_(p.integer("start_decay_epoch")),
        end_(p.integer("end_epoch")),
        lower_(p.real("lower_bound")) {
    if (end_ != 0 && end_ <= start_) p.fail("end_epoch", "must be after start_decay_epoch");
  }
  double ratio(int64_t epoch, int64_t epochs) const override {
    int64_t end = end_ > 0 ? end_ : epochs - 1;
    if (epoch <= start_ || end <= start_) return tfr_;
    double t = std::min(1.0, double(epoch - start_) / double(end - start_));
    return tfr_ + (lower_ - tfr_) * t;
  }

 private:
  double tfr_;
  int64_t start_, end_;
  double lower_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(LinearTeacherForcing)
}  // namespace vidpred::stages
