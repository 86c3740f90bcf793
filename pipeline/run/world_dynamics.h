#pragma once
// The synthetic world itself as a planner's dynamics: each candidate rolled
// out on its own copy of the present environment. What a perfect model
// would predict: the upper bound of planning from pixels.
#include "converters/synth/environment.h"
#include "pipeline/run/dynamics.h"

namespace vidpred {

class WorldDynamics : public Dynamics {
 public:
  explicit WorldDynamics(const synth::Environment& present) : present_(present) {}
  // (N, 1, H, 3, size, size): one future, the true one.
  at::Tensor rollout(const at::Tensor& actions) override;

 private:
  synth::Environment present_;
};

}  // namespace vidpred
