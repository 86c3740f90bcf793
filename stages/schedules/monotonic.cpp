#include "pipeline/config/registry.h"
#include "stages/schedules/annealer.h"

namespace vidpred::stages {
namespace {

class MonotonicAnnealer : public Annealer {
 public:
  using Interface = Annealer;
  static constexpr const char* kName = "monotonic";
  static constexpr const char* kSummary = "KL factor rises once from 0 to 1, then stays at 1";
  static Schema schema() {
    return Schema().real("ratio", 0.5, "share of the run spent rising from 0 to 1", {1e-6, 1.0});
  }
  explicit MonotonicAnnealer(const Params& p) : ratio_(p.real("ratio")) {}
  double factor(int64_t epoch, int64_t epochs) const override { return cyclical_factor(epoch, epochs, 1, ratio_); }

 private:
  double ratio_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(MonotonicAnnealer)
}  // namespace vidpred::stages
