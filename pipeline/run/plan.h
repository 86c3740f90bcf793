#pragma once
// `vidpred plan`: open-loop planning from a user's own start toward a goal
// image with a trained run: the planner's best action sequence, what the
// model predicts it does, and how the search went.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/config/registry.h"
#include "pipeline/core/cancel.h"
#include "pipeline/run/prediction.h"
#include "stages/planning/planner.h"

namespace vidpred {

struct PlanArgs {
  PredictArgs start;                   // run_dir, checkpoint and the start (--frames or --from/--index), as predict reads them
  std::filesystem::path goal;          // a 64x64 picture of the wanted end
  std::vector<std::string> overrides;  // --set planner.samples=...
  std::optional<uint64_t> seed;        // the planner's draws and the model's noise; default the run's run.seed
  std::filesystem::path out;
  bool force = false;
};

struct PlanReport {
  std::filesystem::path checkpoint, out;
  int64_t n_past = 0, horizon = 0, candidates = 0;
  stages::PlanResult result;
  std::vector<std::filesystem::path> files;
  double seconds = 0;
};

// Plans and writes `out` (under OUT.partial, renamed when complete):
// plan.csv (the best plan, 7 values a row: `predict --actions` reads it),
// costs.csv (per iteration), top_plans.csv, goal.png, and the gif and
// png_grid writers' picture of the goal beside the best plans' futures.
// Bad input (a goal that is no 64x64 image, a horizon past train.n_future,
// the start's errors) stops before anything is written.
PlanReport plan(const PlanArgs& args, const Registry& registry, const CancelToken& cancel);

}  // namespace vidpred
