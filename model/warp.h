#pragma once
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace vidpred::model {

// What a warping decoder draws beyond the frame's channels: a mask and a
// flow field (x, y).
inline constexpr int64_t kWarpChannels = 3;
// The flow's bound in pixels: a few frames of the arm's motion (1-4 pixels a frame).
inline constexpr double kMaxFlowPixels = 8.0;

// The frame a warping decoder's output stands for. `decoded` is (..., C + 3,
// H, W) in [0, 1] (the decoder's sigmoid): C drawn channels, a mask, and a
// flow field centred on 0.5. Where the mask is shut the frame is `source`
// (..., C, H, W) sampled (bilinear, borders repeated) at each pixel moved by
// the flow; where it is open, the drawn pixels. A shut mask and a flow of 0.5
// give `source` itself. With the reference's initialisation (zero biases) a
// model starts with its mask half open and its flow near rest. The frame is
// float32 where the decoder's output is (autocast's bf16 included).
at::Tensor warp_composite(const at::Tensor& decoded, const at::Tensor& source);

}  // namespace vidpred::model
