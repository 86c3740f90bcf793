#include "pipeline/config/registry.h"
#include "stages/schedules/annealer.h"

namespace vidpred::stages {
namespace {

class ConstantAnnealer : public Annealer {
 public:
  using Interface = Annealer;
  static constexpr const char* kName = "constant";
  static constexpr const char* kSummary = "the same KL factor every epoch (no annealing)";
  static Schema schema() { return Schema().real("value", 1.0, "the factor", {0.0, {}}); }
  explicit ConstantAnnealer(const Params& p) : value_(p.real("value")) {}
  double factor(int64_t, int64_t) const override { return value_; }

 private:
  double value_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(ConstantAnnealer)
}  // namespace vidpred::stages
