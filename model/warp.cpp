#include "model/warp.h"

#include <ATen/ATen.h>

namespace vidpred::model {

at::Tensor warp_composite(const at::Tensor& decoded, const at::Tensor& source) {
  const int64_t C = source.size(-3), H = source.size(-2), W = source.size(-1);
  TORCH_CHECK(decoded.size(-3) == C + kWarpChannels, "warp_composite: ", C + kWarpChannels, " channels expected, got ",
              decoded.size(-3));
  // Frames of any leading shape, (B, ...) or (B, n, ...), as one batch of images.
  const at::Tensor out = decoded.reshape({-1, C + kWarpChannels, H, W});
  const at::Tensor before = source.reshape({-1, C, H, W});
  const at::Tensor drawn = out.narrow(1, 0, C), mask = out.narrow(1, C, 1);
  // Flow in pixels to grid_sample's [-1, 1] coordinates (align_corners: -1 and 1 are the edge pixels' centres).
  const at::Tensor to_grid = at::tensor({2.0 / double(W - 1), 2.0 / double(H - 1)}, out.options());
  const at::Tensor flow = (out.narrow(1, C + 1, 2) - 0.5).permute({0, 2, 3, 1}) * (2 * kMaxFlowPixels) * to_grid;
  const at::Tensor xs = at::linspace(-1, 1, W, out.options()), ys = at::linspace(-1, 1, H, out.options());
  const at::Tensor identity = at::stack({xs.expand({H, W}), ys.unsqueeze(1).expand({H, W})}, -1);  // (H, W, 2)
  const at::Tensor moved = at::grid_sampler(before, identity + flow, /*bilinear*/ 0, /*border*/ 1, true);
  return (moved + mask * (drawn - moved)).reshape(source.sizes());
}

}  // namespace vidpred::model
