#include "pipeline/run/world_dynamics.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "pipeline/run/frames.h"

namespace vidpred {

at::Tensor WorldDynamics::rollout(const at::Tensor& actions) {
  const at::Tensor a = actions.to(at::kFloat).contiguous();
  const int64_t N = a.size(0), H = a.size(1), size = present_.size();
  const int64_t frame_bytes = size * size * 3;
  at::Tensor rgb = at::empty({N, H, size, size, 3}, at::kByte);
  const float* action = a.data_ptr<float>();
  uint8_t* out = rgb.data_ptr<uint8_t>();
  // Copies are independent: one per candidate, on any thread.
  at::parallel_for(0, N, 1, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      synth::Environment world = present_;
      for (int64_t t = 0; t < H; ++t) {
        const float* step = action + (n * H + t) * a.size(2);
        world.step({step[0], step[1], step[2], step[3]});
        world.render(out + (n * H + t) * frame_bytes);
      }
    }
  });
  return frames_tensor(out, N * H, size, size).view({N, 1, H, 3, size, size});
}

}  // namespace vidpred
