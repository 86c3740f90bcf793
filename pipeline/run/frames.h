#pragma once
// Frames between the model's tensors and bytes: what the writers take (uint8
// RGB, HWC) and what the data source gives the model (float CHW in [0, 1]).
#include <cstdint>

#include <ATen/core/Tensor.h>

#include "stages/writers/writer.h"

namespace vidpred {

// uint8 RGB frames of a (T, 3, H, W) float tensor in [0, 1].
stages::Video to_video(const at::Tensor& frames);

// (T, 3, H, W) float32 in [0, 1] of `frames` RGB HWC images, scaled exactly as
// the HDF5 data source scales them, so that the model sees the same numbers.
at::Tensor frames_tensor(const uint8_t* rgb, int64_t frames, int64_t height, int64_t width);

}  // namespace vidpred
