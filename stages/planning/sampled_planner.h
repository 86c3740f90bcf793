#pragma once
// What cem and random_shooting share: their keys for the search's first
// distribution (samples, horizon, bounds, spread, smoothing), drawing from a
// Gaussian over sequences, and keeping the best candidates scored.
#include <cstdint>
#include <optional>
#include <vector>

#include <ATen/core/Tensor.h>

#include "pipeline/config/params.h"
#include "pipeline/config/schema.h"
#include "stages/planning/planner.h"

namespace vidpred::stages {

// A Gaussian over action sequences, independent per step and dimension
// except for the smoothing over time.
struct SequenceGaussian {
  at::Tensor mean, std;  // (H, A)
};

// The K lowest-cost candidates seen over a search.
class BestCandidates {
 public:
  explicit BestCandidates(int64_t keep) : keep_(keep) {}
  void add(const at::Tensor& actions, const at::Tensor& costs);  // (N, H, A), (N)
  PlanResult result(std::vector<IterationCost> iterations, int64_t candidates) const;

 private:
  int64_t keep_;
  at::Tensor actions_, costs_;
};

class SampledPlanner : public Planner {
 public:
  // Declares the shared keys on `schema`.
  static Schema& declare(Schema& schema, int64_t default_samples);
  explicit SampledPlanner(const Params& p);

  int64_t horizon() const override { return horizon_; }
  std::optional<ActionBounds> bounds() const override { return bounds_; }
  int64_t batch() const override { return samples_; }
  at::Tensor draw_initial(const PlanRequest& request, int64_t n) const override;

 protected:
  // The first distribution: centred in the bounds, deviation `spread` of each half-range.
  SequenceGaussian initial(const PlanRequest& request) const;
  // `n` draws (n, H, A), clamped into the bounds, from the stream (seed, key, round).
  at::Tensor draw(const SequenceGaussian& g, const PlanRequest& request, int64_t n, uint64_t round) const;
  int64_t samples_;

 private:
  int64_t horizon_;
  std::optional<ActionBounds> bounds_;
  double spread_, smoothing_;
};

}  // namespace vidpred::stages
