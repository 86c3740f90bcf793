#pragma once
// Behind a planner: what a sequence of actions would show. Three kinds:
// the trained model (model_dynamics.h), the synthetic world itself
// (world_dynamics.h: the upper bound), and none at all (`control --dynamics
// random` executes draws from the planner's first distribution: the lower bound).
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace vidpred {

class Dynamics {
 public:
  virtual ~Dynamics() = default;
  // The frames (N, F, H, 3, 64, 64) in [0, 1] that candidates (N, H, 4) lead
  // to from the present, F futures each (the world has one).
  virtual at::Tensor rollout(const at::Tensor& actions) = 0;
};

}  // namespace vidpred
