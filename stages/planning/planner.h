#pragma once
// Planning over action sequences (visual MPC): a planner proposes candidate
// sequences, the caller scores them (a dynamics predicts their frames, a cost
// stage scores the frames), and the planner returns the best it found. The
// planner sees only that score, so a new cost or dynamics needs no change here.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <ATen/core/Tensor.h>

namespace vidpred::stages {

// Per action dimension, the box every candidate is drawn in.
struct ActionBounds {
  std::vector<double> low, high;
  int64_t dims() const { return int64_t(low.size()); }
};

// Candidates (N, H, A) float32 -> their costs (N), lower is better.
using CandidateCost = std::function<at::Tensor(const at::Tensor& actions)>;

struct PlanRequest {
  int64_t horizon = 10;  // actions per candidate
  ActionBounds bounds;
  CandidateCost cost;
  uint64_t seed = 1;  // the draws are a pure function of (seed, key)
  uint64_t key = 0;   // e.g. the decision's number, so that decisions draw afresh
  int64_t keep = 4;   // how many of the best candidates to return
};

// One iteration's costs: the best candidate, the elites' mean, all candidates' mean.
struct IterationCost {
  double best = 0, elite_mean = 0, mean = 0;
};

struct PlanResult {
  at::Tensor actions;              // (H, A): the lowest-cost candidate scored
  at::Tensor top;                  // (K, H, A): the K lowest, best first (top[0] is `actions`)
  std::vector<double> top_costs;   // their costs
  std::vector<IterationCost> iterations;
  int64_t candidates = 0;          // sequences scored in all
  double cost() const { return top_costs.front(); }
};

class Planner {
 public:
  static constexpr const char* kKind = "planner";
  static constexpr const char* kKindDoc = "searches action sequences for the one a cost scores lowest (vidpred plan, control)";
  virtual ~Planner() = default;
  // Actions a plan covers (one per predicted frame); 0: the run's train.n_future.
  virtual int64_t horizon() const = 0;
  // The bounds the run file gives; none: the caller uses the training data's range.
  virtual std::optional<ActionBounds> bounds() const = 0;
  // Candidates scored in one call of the cost (the batch a dynamics generates at once).
  virtual int64_t batch() const = 0;
  virtual PlanResult plan(const PlanRequest& request) const = 0;
  // `n` sequences (n, H, A) from the distribution a plan starts from, with
  // the draws of (seed, key): without a model, the random lower bound.
  virtual at::Tensor draw_initial(const PlanRequest& request, int64_t n) const = 0;
};

}  // namespace vidpred::stages
