#include "pipeline/config/registry.h"
#include "stages/schedules/annealer.h"

namespace vidpred::stages {
namespace {

class CyclicalAnnealer : public Annealer {
 public:
  using Interface = Annealer;
  static constexpr const char* kName = "cyclical";
  static constexpr const char* kSummary = "the reference's cyclical KL annealing (rise to 1, hold, restart)";
  static Schema schema() {
    return Schema()
        .integer("cycles", 2, "number of cycles over the run's epochs", {1, 1000})
        .real("ratio", 0.5, "share of each cycle spent rising from 0 to 1", {1e-6, 1.0});
  }
  explicit CyclicalAnnealer(const Params& p) : cycles_(p.integer("cycles")), ratio_(p.real("ratio")) {}
  double factor(int64_t epoch, int64_t epochs) const override {
    return cyclical_factor(epoch, epochs, cycles_, ratio_);
  }

 private:
  int64_t cycles_;
  double ratio_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(CyclicalAnnealer)
}  // namespace vidpred::stages
