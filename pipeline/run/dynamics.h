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

// End-effector positions along candidates: start (N, 3), actions (N, T, 4) ->
// (N, T, 3), row t the position action t acts at: p[0] = start, p[t + 1] =
// clamp(p[t] + a[t][0:3]) into the synthetic world's reach. A stand-in for
// the kinematics stage (branch `world`) until it lands.
at::Tensor integrate_positions(const at::Tensor& start, const at::Tensor& actions);

}  // namespace vidpred
