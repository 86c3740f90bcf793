#pragma once
// The SVG VGG-64 frame encoder and decoder with skip connections. `width`
// scales every convolution's channel count (1.0 is the reference model).
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/modules/upsampling.h>
#include <torch/nn/pimpl.h>

#include "model/batchnorm.h"

namespace vidpred::model {

// Conv 3x3 stride 1 pad 1 -> BatchNorm2d -> LeakyReLU(0.2).
class VggLayerImpl : public torch::nn::Module {
 public:
  VggLayerImpl(int64_t in, int64_t out);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::Conv2d conv_{nullptr};
  SyncBatchNorm2d norm_{nullptr};
};
TORCH_MODULE(VggLayer);

// Channels at `width` of the reference's `channels`, never below 1.
int64_t scaled(int64_t channels, double width);

struct Encoded {
  at::Tensor h;                   // (B, dim)
  std::vector<at::Tensor> skips;  // 64x64, 32x32, 16x16, 8x8 feature maps
};

class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(int64_t dim, double width, int64_t channels = 3);
  Encoded forward(const at::Tensor& frame);  // frame (B, C, 64, 64)

 private:
  int64_t dim_;
  torch::nn::Sequential c1_{nullptr}, c2_{nullptr}, c3_{nullptr}, c4_{nullptr}, c5_{nullptr};
  torch::nn::MaxPool2d pool_{nullptr};
};
TORCH_MODULE(Encoder);

class DecoderImpl : public torch::nn::Module {
 public:
  DecoderImpl(int64_t dim, double width, int64_t channels = 3);
  at::Tensor forward(const at::Tensor& h, const std::vector<at::Tensor>& skips);  // -> (B, C, 64, 64)

 private:
  int64_t dim_;
  torch::nn::Sequential upc1_{nullptr}, upc2_{nullptr}, upc3_{nullptr}, upc4_{nullptr}, upc5_{nullptr};
  torch::nn::Upsample up_{nullptr};
};
TORCH_MODULE(Decoder);

}  // namespace vidpred::model
