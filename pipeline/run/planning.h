#pragma once
// What `vidpred plan` and `vidpred control` build from a run's [planner],
// [cost] and [planning] tables, and one planning call: the planner's
// candidates rolled out by a dynamics and scored by the cost.
#include <cstdint>
#include <memory>

#include "pipeline/config/config.h"
#include "pipeline/config/registry.h"
#include "pipeline/core/cancel.h"
#include "pipeline/run/dynamics.h"
#include "stages/kinematics/kinematics.h"
#include "stages/planning/cost.h"
#include "stages/planning/planner.h"

namespace vidpred {

struct PlanningSetup {
  std::unique_ptr<stages::Planner> planner;
  std::unique_ptr<stages::Cost> cost;
  std::unique_ptr<stages::Kinematics> kinematics;  // the model's candidates' positions
  stages::ActionBounds bounds;  // the planner's, or the training data's range
  int64_t n_past = 2;
  int64_t horizon = 10;         // actions a plan covers
  int64_t futures = 1;          // model futures per candidate
  int64_t execute = 1;          // control: actions executed per decision
  int64_t show = 4;             // plan: best plans shown

  // A search of this setup's horizon and bounds, drawing with (seed, key);
  // the caller adds the cost.
  stages::PlanRequest request(uint64_t seed, uint64_t key) const;
};

// Checks the tables against the run: a horizon longer than train.n_future is
// an error naming the key (the model was never trained that far), as is a
// cost that cannot score such a plan.
PlanningSetup planning_setup(const Config& config, const Registry& registry);

// A run whose model sees no conditions (model.conditioned = false) cannot be
// steered: an error saying so.
void check_conditioned(const Config& config);

// Per action dimension, the lowest and highest action of the run's training
// split (data.root/train.h5).
stages::ActionBounds training_action_bounds(const Config& config);

// The planner's search toward `goal`, every candidate rolled out by `dynamics`
// (its futures' costs averaged), draws keyed by (seed, key). `cancel` is
// polled before each batch of candidates, so Ctrl-C stops a search of many
// seconds within one batch.
stages::PlanResult plan_toward(const PlanningSetup& setup, Dynamics& dynamics, const stages::Goal& goal,
                               uint64_t seed, uint64_t key, const CancelToken& cancel);

}  // namespace vidpred
