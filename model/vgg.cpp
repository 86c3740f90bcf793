#include "model/vgg.h"

#include <algorithm>
#include <cmath>

#include <torch/nn/modules/activation.h>
#include <torch/torch.h>

namespace vidpred::model {
namespace nn = torch::nn;

int64_t scaled(int64_t channels, double width) {
  return std::max<int64_t>(1, std::llround(channels * width));
}

namespace {

// `convolve` (a convolution of x) with NCHW in and out. oneDNN's CPU
// convolutions on NCHW maps of 32x32 and more take a slow path: forward and
// backward on a channels-last copy, converted back after, run 1.3-4x faster
// at the demo model's widths (3->8 at 64x64: 145 against 30 ms for 192
// frames) and 3-22% faster at the full model's; at 16x16 and less the copies
// cost more than they save. BatchNorm's per-frame views need NCHW, so only
// the convolution sees channels-last. CUDA keeps NCHW.
template <class Convolve>
at::Tensor convolved_nchw(const at::Tensor& x, Convolve convolve) {
  if (!x.is_cpu() || x.size(-1) < 32) return convolve(x);
  return convolve(x.contiguous(at::MemoryFormat::ChannelsLast)).contiguous();
}

}  // namespace

VggLayerImpl::VggLayerImpl(int64_t in, int64_t out)
    : conv_(register_module("conv", nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(1).padding(1)))),
      norm_(register_module("norm", SyncBatchNorm2d(out))) {}

at::Tensor VggLayerImpl::forward(const at::Tensor& x) {
  // In place, as the reference's LeakyReLU(inplace=True): BatchNorm's backward
  // needs its input, not its output, so the output's memory can hold the
  // activation and each layer keeps two maps for backward instead of three
  // (on the CPU at 32x32 and more, plus the convolution's channels-last copy).
  at::Tensor y = norm_->forward(convolved_nchw(x, [&](const at::Tensor& in) { return conv_->forward(in); }));
  return torch::leaky_relu_(y, 0.2);
}

EncoderImpl::EncoderImpl(int64_t dim, double width, int64_t channels) : dim_(dim) {
  const int64_t c64 = scaled(64, width), c128 = scaled(128, width), c256 = scaled(256, width),
                c512 = scaled(512, width);
  c1_ = register_module("c1", nn::Sequential(VggLayer(channels, c64), VggLayer(c64, c64)));
  c2_ = register_module("c2", nn::Sequential(VggLayer(c64, c128), VggLayer(c128, c128)));
  c3_ = register_module("c3", nn::Sequential(VggLayer(c128, c256), VggLayer(c256, c256), VggLayer(c256, c256)));
  c4_ = register_module("c4", nn::Sequential(VggLayer(c256, c512), VggLayer(c512, c512), VggLayer(c512, c512)));
  c5_ = register_module("c5", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(c512, dim, 4).stride(1).padding(0)),
                                             SyncBatchNorm2d(dim), nn::Tanh()));
  pool_ = register_module("pool", nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)));
}

Encoded EncoderImpl::forward(const at::Tensor& frame) {
  at::Tensor h1 = c1_->forward(frame);
  at::Tensor h2 = c2_->forward(pool_->forward(h1));
  at::Tensor h3 = c3_->forward(pool_->forward(h2));
  at::Tensor h4 = c4_->forward(pool_->forward(h3));
  at::Tensor h5 = c5_->forward(pool_->forward(h4));
  return {h5.view({-1, dim_}), {h1, h2, h3, h4}};
}

DecoderImpl::DecoderImpl(int64_t dim, double width, int64_t channels) : dim_(dim) {
  const int64_t c64 = scaled(64, width), c128 = scaled(128, width), c256 = scaled(256, width),
                c512 = scaled(512, width);
  upc1_ = register_module(
      "upc1", nn::Sequential(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(dim, c512, 4).stride(1).padding(0)),
                             SyncBatchNorm2d(c512), nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2))));
  upc2_ = register_module("upc2", nn::Sequential(VggLayer(c512 * 2, c512), VggLayer(c512, c512), VggLayer(c512, c256)));
  upc3_ = register_module("upc3", nn::Sequential(VggLayer(c256 * 2, c256), VggLayer(c256, c256), VggLayer(c256, c128)));
  upc4_ = register_module("upc4", nn::Sequential(VggLayer(c128 * 2, c128), VggLayer(c128, c64)));
  upc5_ = register_module(
      "upc5", nn::Sequential(VggLayer(c64 * 2, c64),
                             nn::ConvTranspose2d(nn::ConvTranspose2dOptions(c64, channels, 3).stride(1).padding(1)),
                             nn::Sigmoid()));
  up_ = register_module("up", nn::Upsample(nn::UpsampleOptions()
                                               .scale_factor(std::vector<double>{2.0, 2.0})
                                               .mode(torch::kNearest)));
}

namespace {

// The reference's stride-1 transposed convolutions, computed as what they
// equal: from a 1x1 input, a matrix product (each input channel scales one
// k x k kernel per output channel); otherwise a convolution with the kernel
// flipped and its channel axes swapped, padded k-1-p. LibTorch's CPU transposed
// convolution is a slow im2col path (5% of the demo model's forward alone);
// convolutions and matrix products take the fast kernels. The parameters stay
// the ConvTranspose2d's, so checkpoints and initialisation are unchanged.
at::Tensor stride1_transposed(const nn::ConvTranspose2dImpl& layer, const at::Tensor& x, int64_t pad) {
  const at::Tensor& w = layer.weight;  // (in, out, k, k)
  const int64_t k = w.size(2);
  if (x.size(2) == 1 && x.size(3) == 1 && pad == 0) {
    at::Tensor y = at::matmul(x.flatten(1), w.flatten(1)).view({x.size(0), w.size(1), k, k});
    return layer.bias.defined() ? y + layer.bias.to(y.scalar_type()).view({1, -1, 1, 1}) : y;
  }
  const at::Tensor flipped = w.transpose(0, 1).flip({2, 3});
  return convolved_nchw(x, [&](const at::Tensor& in) { return at::conv2d(in, flipped, layer.bias, 1, k - 1 - pad); });
}

}  // namespace

at::Tensor DecoderImpl::forward(const at::Tensor& h, const std::vector<at::Tensor>& skips) {
  // upc1 and upc5 run layer by layer to route their transposed convolutions.
  at::Tensor d1 = stride1_transposed(*upc1_->ptr<nn::ConvTranspose2dImpl>(0), h.view({-1, dim_, 1, 1}), 0);
  d1 = upc1_->ptr<SyncBatchNorm2dImpl>(1)->forward(d1);
  torch::leaky_relu_(d1, 0.2);  // 4x4
  at::Tensor d2 = upc2_->forward(torch::cat({up_->forward(d1), skips[3]}, 1));  // 8x8
  at::Tensor d3 = upc3_->forward(torch::cat({up_->forward(d2), skips[2]}, 1));  // 16x16
  at::Tensor d4 = upc4_->forward(torch::cat({up_->forward(d3), skips[1]}, 1));  // 32x32
  at::Tensor d5 = upc5_->ptr<VggLayerImpl>(0)->forward(torch::cat({up_->forward(d4), skips[0]}, 1));
  return torch::sigmoid(stride1_transposed(*upc5_->ptr<nn::ConvTranspose2dImpl>(1), d5, 1));  // 64x64
}

}  // namespace vidpred::model
