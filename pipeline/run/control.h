#pragma once
// `vidpred control`: model-predictive control in the synthetic world. At
// each decision the planner plans from the last n_past frames (and the
// end-effector's position) toward the task's goal image, the first
// planning.execute actions are carried out in the world, and again, until
// the episode's budget of actions is spent. The goal's coordinates only score.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/config/registry.h"
#include "pipeline/core/cancel.h"

namespace vidpred {

struct ControlArgs {
  std::filesystem::path run_dir;
  std::string checkpoint = "best";
  std::string task = "reach";       // reach or push
  std::string dynamics = "model";   // model, world (the upper bound) or random (the lower bound)
  int64_t episodes = 10;
  uint64_t seed = 1;                // fixes the episodes: every dynamics plays the same ones
  std::filesystem::path out;        // default RUN_DIR/control/TASK-DYNAMICS
  std::vector<std::string> overrides;
  bool force = false;
  bool progress = true;
};

struct EpisodeOutcome {
  int64_t episode = 0;
  bool success = false;
  double start_distance = 0, final_distance = 0;
  int64_t decisions = 0, futures = 0;  // futures: candidate rollouts predicted, all decisions
  double planning_seconds = 0;
};

struct ControlReport {
  std::string task, dynamics;
  std::filesystem::path out, checkpoint;
  std::vector<EpisodeOutcome> episodes;
  std::vector<std::filesystem::path> files;
  double seconds = 0;

  double success_rate() const;
  double mean_distance() const;
  double median_distance() const;
  double seconds_per_decision() const;
  double futures_per_second() const;  // 0 for random (it predicts nothing)
  std::string table() const;          // the terminal summary
  std::string json() const;           // summary.json
};

ControlReport control(const ControlArgs& args, const Registry& registry, const CancelToken& cancel);

}  // namespace vidpred
