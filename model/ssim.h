#pragma once
#include <ATen/core/Tensor.h>

namespace vidpred::model {

// Structural similarity of images x and y, (N, C, H, W) in [0, 1]: per
// channel, an 11x11 Gaussian window (sigma 1.5, normalised to sum 1), 'valid'
// filtering, K1 0.01, K2 0.03, data range 1; the map's mean over channels and
// pixels. Returns (N) in x's dtype, differentiable: the evaluation metric
// calls it in float64, the training loss in float32.
at::Tensor structural_similarity(const at::Tensor& x, const at::Tensor& y);

}  // namespace vidpred::model
