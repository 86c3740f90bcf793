#pragma once
// What a planner minimises: a cost stage scores predicted frames against
// what the user wants. Planners see it only through CandidateCost (planner.h).
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace vidpred::stages {

// What the user wants, as a user has it: a picture of the wanted end.
struct Goal {
  at::Tensor image;  // (3, H, W) float32 in [0, 1]
};

class Cost {
 public:
  static constexpr const char* kKind = "cost";
  static constexpr const char* kKindDoc = "scores a planner's predicted frames against a goal (lower is better)";
  virtual ~Cost() = default;
  // Predicted frames (N, H, 3, height, width) in [0, 1] of candidates whose
  // actions are (N, H, A) -> costs (N).
  // Throws an Error naming the key when the cost cannot score plans of `horizon` frames.
  virtual void check(int64_t horizon) const = 0;
  virtual at::Tensor score(const at::Tensor& frames, const at::Tensor& actions, const Goal& goal) const = 0;
};

}  // namespace vidpred::stages
