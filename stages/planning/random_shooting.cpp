#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "stages/planning/sampled_planner.h"

namespace vidpred::stages {
namespace {

// One round of draws from the first distribution; the lowest-cost one wins.
class RandomShootingPlanner : public SampledPlanner {
 public:
  using Interface = Planner;
  static constexpr const char* kName = "random_shooting";
  static constexpr const char* kSummary = "scores `samples` random sequences once and keeps the best";
  static Schema schema() {
    Schema s;
    return declare(s, 300);  // as many futures as cem's default decision
  }
  explicit RandomShootingPlanner(const Params& p) : SampledPlanner(p) {}

  PlanResult plan(const PlanRequest& request) const override {
    at::Tensor x = draw_initial(request, samples_);
    at::Tensor cost = request.cost(x).to(at::kDouble);
    BestCandidates best(std::max(request.keep, int64_t(1)));
    best.add(x, cost);
    const double lowest = cost.min().item<double>(), mean = cost.mean().item<double>();
    return best.result({{lowest, lowest, mean}}, samples_);
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(RandomShootingPlanner)
}  // namespace vidpred::stages
