#include "pipeline/run/planning.h"

#include <algorithm>
#include <limits>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "converters/h5/handle.h"
#include "converters/h5/layout.h"
#include "converters/trajectory.h"
#include "pipeline/core/error.h"
#include "pipeline/run/run_context.h"
#include "pipeline/run/run_schema.h"

namespace vidpred {

stages::ActionBounds training_action_bounds(const Config& config) {
  const std::filesystem::path file = std::filesystem::path(config.section("data").string("root")) / "train.h5";
  h5::quiet_errors();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw Error(fmt::format("the planner's action bounds default to the training data's range, and '{}' is not "
                            "there; give planner.action_low and planner.action_high",
                            file.string()));
  }
  h5::DatasetReader reader(file);
  stages::ActionBounds b{std::vector<double>(kActionDim, std::numeric_limits<double>::infinity()),
                         std::vector<double>(kActionDim, -std::numeric_limits<double>::infinity())};
  const size_t values = size_t(reader.info().frames) * kActionDim;
  for (size_t i = 0; i < reader.size(); ++i) {
    const float* a = reader.actions(i);
    for (size_t k = 0; k < values; ++k) {
      b.low[k % kActionDim] = std::min(b.low[k % kActionDim], double(a[k]));
      b.high[k % kActionDim] = std::max(b.high[k % kActionDim], double(a[k]));
    }
  }
  // A dimension that never varied (a dataset without a gripper) has
  // low == high: every candidate keeps it at that value.
  if (reader.size() == 0) throw Error(fmt::format("'{}' holds no trajectories", file.string()));
  return b;
}

void check_conditioned(const Config& config) {
  if (model_options(config.section("model")).conditioned) return;
  throw Error(fmt::format("{} was trained without conditions (model.conditioned = false): its futures do not depend "
                          "on actions, so there is nothing to plan with",
                          config.source()));
}

PlanningSetup planning_setup(const Config& config, const Registry& registry) {
  PlanningSetup s;
  s.planner = registry.create<stages::Planner>(config.section("planner"));
  s.cost = registry.create<stages::Cost>(config.section("cost"));
  s.kinematics = registry.create<stages::Kinematics>(config.section("kinematics"));
  const RunShape shape = run_shape(config);
  s.n_past = shape.n_past;
  s.horizon = s.planner->horizon() > 0 ? s.planner->horizon() : shape.n_future;
  if (s.horizon > shape.n_future) {
    config.section("planner").fail(
        "horizon", fmt::format("{} actions, past the {} frames (train.n_future) the model was trained to predict",
                               s.horizon, shape.n_future));
  }
  s.cost->check(s.horizon);
  auto planning = config.section("planning");
  s.futures = planning.integer("futures");
  s.execute = std::min(planning.integer("execute"), s.horizon);
  s.show = planning.integer("show");
  auto bounds = s.planner->bounds();
  s.bounds = bounds ? *bounds : training_action_bounds(config);
  return s;
}

stages::PlanRequest PlanningSetup::request(uint64_t seed, uint64_t key) const {
  stages::PlanRequest r;
  r.horizon = horizon;
  r.bounds = bounds;
  r.seed = seed;
  r.key = key;
  r.keep = show;
  return r;
}

stages::PlanResult plan_toward(const PlanningSetup& setup, Dynamics& dynamics, const stages::Goal& goal,
                               uint64_t seed, uint64_t key, const CancelToken& cancel) {
  stages::PlanRequest request = setup.request(seed, key);
  request.cost = [&](const at::Tensor& actions) {
    cancel.throw_if_cancelled();
    at::Tensor frames = dynamics.rollout(actions);  // (N, F, H, C, H, W)
    const int64_t N = frames.size(0), F = frames.size(1);
    at::Tensor costs = setup.cost->score(frames.flatten(0, 1), actions.repeat_interleave(F, 0), goal);
    return costs.view({N, F}).mean(1);
  };
  return setup.planner->plan(request);
}

}  // namespace vidpred
