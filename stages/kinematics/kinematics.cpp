#include "stages/kinematics/kinematics.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "pipeline/core/error.h"

namespace vidpred::stages {

std::vector<float> Kinematics::positions(const std::array<float, 3>& start, const std::vector<float>& actions) const {
  constexpr int64_t kActionValues = 4;
  if (actions.size() % kActionValues != 0) {
    throw Error(fmt::format("kinematics: {} action values are not rows of {}", actions.size(), kActionValues));
  }
  const int64_t frames = int64_t(actions.size()) / kActionValues;
  at::Tensor start_rows = torch::tensor(at::ArrayRef<float>(start.data(), start.size())).view({1, 3});
  // from_blob copies nothing; positions() only reads it, and its result is copied out below.
  at::Tensor action_rows = torch::from_blob(const_cast<float*>(actions.data()), {1, frames, kActionValues});
  at::Tensor out = positions(start_rows, action_rows).contiguous();
  const float* values = out.data_ptr<float>();
  return std::vector<float>(values, values + out.numel());
}

}  // namespace vidpred::stages
