#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "stages/planning/sampled_planner.h"

namespace vidpred::stages {
namespace {

// The cross-entropy method: draw candidates from a Gaussian over sequences,
// refit the Gaussian to the lowest-cost `elites`, repeat. From the second
// iteration on the best candidate so far is scored again in place of one
// draw, so an iteration never loses what the last one found.
class CemPlanner : public SampledPlanner {
 public:
  using Interface = Planner;
  static constexpr const char* kName = "cem";
  static constexpr const char* kSummary = "cross-entropy method: Gaussian over action sequences refitted to the elites";
  static Schema schema() {
    Schema s;
    // 300 futures a decision: within 3 s on 2 cores with the demo model.
    return declare(s, 100)
        .integer("elites", 10, "lowest-cost candidates the distribution is refitted to", {2, 100000})
        .integer("iterations", 3, "draw-and-refit rounds", {1, 1000});
  }
  explicit CemPlanner(const Params& p)
      : SampledPlanner(p), elites_(p.integer("elites")), iterations_(p.integer("iterations")) {
    if (elites_ > samples_) p.fail("elites", "cannot be more than samples");
  }

  PlanResult plan(const PlanRequest& request) const override {
    SequenceGaussian g = initial(request);
    BestCandidates best(std::max(request.keep, int64_t(1)));
    std::vector<IterationCost> log;
    at::Tensor best_so_far;
    for (int64_t it = 0; it < iterations_; ++it) {
      at::Tensor x = draw(g, request, samples_, uint64_t(it));
      if (best_so_far.defined()) x[0] = best_so_far;
      at::Tensor cost = request.cost(x).to(at::kDouble);
      at::Tensor order = std::get<1>(cost.sort(/*stable=*/true, 0, false));
      at::Tensor elites = x.index_select(0, order.narrow(0, 0, elites_));
      g = {elites.mean(0), elites.std(0, /*unbiased=*/false)};
      // Row 0 of a later iteration is a plan already kept: added again it
      // would fill two places of the top plans.
      const int64_t fresh = best_so_far.defined() ? 1 : 0;
      best.add(x.narrow(0, fresh, samples_ - fresh), cost.narrow(0, fresh, samples_ - fresh));
      best_so_far = x[order[0].item<int64_t>()].clone();
      log.push_back({cost.min().item<double>(), cost.index_select(0, order.narrow(0, 0, elites_)).mean().item<double>(),
                     cost.mean().item<double>()});
    }
    return best.result(std::move(log), samples_ * iterations_);
  }

 private:
  int64_t elites_, iterations_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(CemPlanner)
}  // namespace vidpred::stages
