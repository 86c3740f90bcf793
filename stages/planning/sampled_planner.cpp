#include "stages/planning/sampled_planner.h"

#include <cmath>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "converters/trajectory.h"
#include "pipeline/core/random.h"

namespace vidpred::stages {

void BestCandidates::add(const at::Tensor& actions, const at::Tensor& costs) {
  at::Tensor all_actions = actions_.defined() ? at::cat({actions_, actions}) : actions;
  at::Tensor all_costs = actions_.defined() ? at::cat({costs_, costs.to(at::kDouble)}) : costs.to(at::kDouble);
  // Stable, so that of equal costs the earlier candidate stays first.
  at::Tensor order = std::get<1>(all_costs.sort(/*stable=*/true, 0, false)).narrow(0, 0, std::min(keep_, all_costs.size(0)));
  actions_ = all_actions.index_select(0, order);
  costs_ = all_costs.index_select(0, order);
}

PlanResult BestCandidates::result(std::vector<IterationCost> iterations, int64_t candidates) const {
  PlanResult r;
  r.actions = actions_[0];
  r.top = actions_;
  const double* c = costs_.data_ptr<double>();
  r.top_costs.assign(c, c + costs_.size(0));
  r.iterations = std::move(iterations);
  r.candidates = candidates;
  return r;
}

namespace {

std::optional<ActionBounds> bounds_from(const Params& p) {
  ActionBounds b{p.reals("action_low"), p.reals("action_high")};
  if (b.low.empty() && b.high.empty()) return std::nullopt;
  for (const char* key : {"action_low", "action_high"}) {
    if (p.reals(key).size() != size_t(kActionDim)) {
      p.fail(key, fmt::format("give {} values (dx, dy, dz, gripper), or leave both bounds out for the training "
                              "data's range", kActionDim));
    }
  }
  for (int d = 0; d < kActionDim; ++d) {
    if (!(b.low[d] < b.high[d])) {
      p.fail("action_high", fmt::format("dimension {}: high {} is not above low {}", d, b.high[d], b.low[d]));
    }
  }
  return b;
}

at::Tensor bound_tensor(const std::vector<double>& values) {
  return at::tensor(std::vector<float>(values.begin(), values.end()), at::kFloat);
}

}  // namespace

Schema& SampledPlanner::declare(Schema& schema, int64_t default_samples) {
  return schema.integer("samples", default_samples, "candidate action sequences scored per iteration", {1, 100000})
      .integer("horizon", 0, "actions per plan, one per predicted frame (0: the run's train.n_future)", {0, 1000})
      .real_list("action_low", {}, "lowest action per dimension (dx, dy, dz, gripper); empty: the training data's")
      .real_list("action_high", {}, "highest action per dimension; empty: the training data's")
      .real("spread", 0.5, "the first distribution's deviation, a share of each dimension's half-range", {1e-6, 10.0})
      .real("smoothing", 0.0,
            "correlation of a dimension's draws from one step to the next (0: independent; the deviation stays "
            "the same)", {0.0, 0.99});
}

SampledPlanner::SampledPlanner(const Params& p)
    : samples_(p.integer("samples")),
      horizon_(p.integer("horizon")),
      bounds_(bounds_from(p)),
      spread_(p.real("spread")),
      smoothing_(p.real("smoothing")) {}

SequenceGaussian SampledPlanner::initial(const PlanRequest& request) const {
  const at::Tensor low = bound_tensor(request.bounds.low), high = bound_tensor(request.bounds.high);
  const int64_t H = request.horizon;
  return {((low + high) / 2).expand({H, -1}).contiguous(), ((high - low) / 2 * spread_).expand({H, -1}).contiguous()};
}

at::Tensor SampledPlanner::draw(const SequenceGaussian& g, const PlanRequest& request, int64_t n,
                                uint64_t round) const {
  const int64_t H = g.mean.size(0), A = g.mean.size(1);
  at::Tensor noise = at::empty({n, H, A}, at::kFloat);
  float* out = noise.data_ptr<float>();
  const double fresh = std::sqrt(1.0 - smoothing_ * smoothing_);
  for (int64_t i = 0; i < n; ++i) {
    CounterRng rng(request.seed, {0x9a1, request.key, round, uint64_t(i)});
    for (int64_t a = 0; a < A; ++a) {
      double e = rng.normal();  // AR(1) over time: unit variance at every step
      for (int64_t t = 0; t < H; ++t) {
        if (t > 0) e = smoothing_ * e + fresh * rng.normal();
        out[(i * H + t) * A + a] = float(e);
      }
    }
  }
  at::Tensor x = g.mean + g.std * noise;
  return at::max(at::min(x, bound_tensor(request.bounds.high)), bound_tensor(request.bounds.low));
}

at::Tensor SampledPlanner::draw_initial(const PlanRequest& request, int64_t n) const {
  return draw(initial(request), request, n, 0);
}

}  // namespace vidpred::stages
