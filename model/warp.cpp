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
  // The sampling grid in float32 at least, whatever autocast made of the
  // decoder's output: bf16 would place it up to a tenth of a pixel off,
  // blurring what it should copy (float64 stays float64, for exact tests).
  const auto dtype = at::promote_types(out.scalar_type(), at::kFloat);
  const at::Tensor pixels = (out.narrow(1, C + 1, 2).to(dtype) - 0.5) * (2 * kMaxFlowPixels);  // (N, 2, H, W)
  const auto positions = before.options().dtype(dtype);
  // grid_sample's [-1, 1] coordinates, align_corners: -1 and 1 are the edge pixels' centres.
  const at::Tensor x = at::linspace(-1, 1, W, positions) + pixels.select(1, 0) * (2.0 / double(W - 1));
  const at::Tensor y = at::linspace(-1, 1, H, positions).unsqueeze(1) + pixels.select(1, 1) * (2.0 / double(H - 1));
  const at::Tensor moved = at::grid_sampler(before.to(dtype), at::stack({x, y}, -1), /*bilinear*/ 0,
                                            /*border*/ 1, /*align_corners*/ true);
  return (moved + mask * (drawn - moved)).reshape(source.sizes());
}

}  // namespace vidpred::model
