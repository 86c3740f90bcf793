#include "pipeline/run/frames.h"

#include <torch/torch.h>

namespace vidpred {

stages::Video to_video(const at::Tensor& frames) {
  at::Tensor bytes = (frames.detach().to(torch::kCPU).clamp(0, 1) * 255.0 + 0.5)
                         .to(torch::kUInt8)
                         .permute({0, 2, 3, 1})
                         .contiguous();
  stages::Video v;
  v.frames = int(bytes.size(0));
  v.height = int(bytes.size(1));
  v.width = int(bytes.size(2));
  v.rgb.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
  return v;
}

at::Tensor frames_tensor(const uint8_t* rgb, int64_t frames, int64_t height, int64_t width) {
  // from_blob does not own the bytes: to() copies them out.
  at::Tensor bytes = torch::from_blob(const_cast<uint8_t*>(rgb), {frames, height, width, 3}, torch::kUInt8);
  constexpr float kScale = 1.0f / 255.0f;  // the data source's factor, for bit-identical inputs
  return bytes.permute({0, 3, 1, 2}).to(torch::kFloat).mul(kScale).contiguous();
}

}  // namespace vidpred
