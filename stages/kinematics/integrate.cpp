#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "pipeline/config/registry.h"
#include "pipeline/core/error.h"
#include "stages/kinematics/kinematics.h"

namespace vidpred::stages {
namespace {

struct Axis {
  const char* name;
  double min, max;  // the synthetic world's bounds (converters/synth/scene.h)
};
constexpr Axis kAxes[] = {{"x", -0.85, 0.85}, {"y", -0.85, 0.85}, {"z", 0.0, 0.5}};

// The synthetic world's rule (converters/synth/environment.h), in float32 and
// in its order, so that it reproduces the world's positions exactly: each
// action's first three values are a displacement, the result kept in a box.
class IntegrateKinematics : public Kinematics {
 public:
  using Interface = Kinematics;
  static constexpr const char* kName = "integrate";
  static constexpr const char* kSummary =
      "position[t + 1] = clamp(position[t] + action[t][0:3]) into [min, max] per axis (the synthetic world's rule)";
  static Schema schema() {
    Schema schema;
    for (const Axis& axis : kAxes) {
      schema.real(fmt::format("{}_min", axis.name), axis.min, fmt::format("lowest {}", axis.name))
          .real(fmt::format("{}_max", axis.name), axis.max, fmt::format("highest {}", axis.name));
    }
    return schema;
  }
  explicit IntegrateKinematics(const Params& p) {
    for (size_t i = 0; i < low_.size(); ++i) {
      const std::string axis = kAxes[i].name;
      low_[i] = float(p.real(axis + "_min"));
      high_[i] = float(p.real(axis + "_max"));
      if (high_[i] < low_[i]) p.fail(axis + "_max", "must be at least " + axis + "_min");
    }
  }

  at::Tensor positions(const at::Tensor& start, const at::Tensor& actions) const override {
    check_shapes(start, actions);
    const auto f32 = actions.options().dtype(torch::kFloat);
    const at::Tensor low = torch::tensor(at::ArrayRef<float>(low_), f32);
    const at::Tensor high = torch::tensor(at::ArrayRef<float>(high_), f32);
    const at::Tensor moves = actions.to(f32).narrow(2, 0, 3);
    std::vector<at::Tensor> steps{start.to(f32)};
    for (int64_t t = 0; t + 1 < actions.size(1); ++t) {
      steps.push_back(torch::clamp(steps.back() + moves.select(1, t), low, high));
    }
    return torch::stack(steps, 1);
  }

 private:
  static void check_shapes(const at::Tensor& start, const at::Tensor& actions) {
    const bool fits = start.dim() == 2 && start.size(1) == 3 && actions.dim() == 3 && actions.size(2) == 4 &&
                      actions.size(0) == start.size(0) && actions.size(1) >= 1;
    if (fits) return;
    throw Error(fmt::format("kinematics integrate: needs start (N, 3) and actions (N, T >= 1, 4), got {} and {}",
                            fmt::join(start.sizes(), "x"), fmt::join(actions.sizes(), "x")));
  }

  std::array<float, 3> low_, high_;  // x, y, z
};

}  // namespace
VIDPRED_REGISTER_STAGE(IntegrateKinematics)
}  // namespace vidpred::stages
