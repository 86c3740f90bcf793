#include "pipeline/run/dynamics.h"

#include <vector>

#include <ATen/ATen.h>

#include "converters/synth/scene.h"

namespace vidpred {

at::Tensor integrate_positions(const at::Tensor& start, const at::Tensor& actions) {
  const at::Tensor low = at::tensor({-synth::kReach, -synth::kReach, 0.0f}, start.options());
  const at::Tensor high = at::tensor({synth::kReach, synth::kReach, synth::kMaxHeight}, start.options());
  std::vector<at::Tensor> positions{start};
  for (int64_t t = 0; t + 1 < actions.size(1); ++t) {
    // Float32 step by step, as the world moves its gripper.
    positions.push_back(at::max(at::min(positions.back() + actions.select(1, t).narrow(1, 0, 3), high), low));
  }
  return at::stack(positions, 1);
}

}  // namespace vidpred
