#pragma once
#include <array>
#include <vector>

#include <ATen/core/Tensor.h>

namespace vidpred::stages {

// How the end-effector moves under actions: the positions a plan of actions
// leads to, which the model takes beside the actions as conditions. `vidpred
// predict` derives a 4-value plan's positions with it; planners derive their
// candidates'.
class Kinematics {
 public:
  static constexpr const char* kKind = "kinematics";
  static constexpr const char* kKindDoc = "end-effector positions from actions (predict's 4-value plans, planners)";
  virtual ~Kinematics() = default;

  // start (N, 3), actions (N, T, 4) -> positions (N, T, 3), float32 on the
  // actions' device: positions[:, 0] = start, positions[:, t + 1] follows from
  // positions[:, t] and actions[:, t] (the last action moves nothing returned).
  // Throws vidpred::Error on other shapes, T = 0 included.
  virtual at::Tensor positions(const at::Tensor& start, const at::Tensor& actions) const = 0;

  // The same for one plan: actions T x 4 (row-major) -> positions T x 3, on the CPU.
  std::vector<float> positions(const std::array<float, 3>& start, const std::vector<float>& actions) const;
};

}  // namespace vidpred::stages
