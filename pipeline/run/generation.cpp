#include "pipeline/run/generation.h"

#include <torch/torch.h>

#include "pipeline/run/noise.h"

namespace vidpred {

at::Tensor generate_samples(model::Cvae& model, const stages::Batch& batch, const GenerationRequest& request) {
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  const int64_t B = batch.frames.size(0), N = request.samples, total = request.n_past + request.horizon;
  const int64_t z_dim = model->options().z_dim;
  std::vector<at::Tensor> noise;
  for (int64_t n = request.first_sample; n < request.first_sample + N; ++n) {
    noise.push_back(counter_noise(request.seed, kEvalNoise, uint64_t(n), batch.samples, total - 1, z_dim));
  }
  // Sample-major rows: row n * B + b is sample n of sequence b.
  at::Tensor eps = torch::cat(noise, 1).to(batch.frames.device());
  at::Tensor frames = batch.frames.narrow(1, 0, request.n_past).repeat({N, 1, 1, 1, 1});
  at::Tensor cond = batch.cond.narrow(1, 0, total).repeat({N, 1, 1});
  at::Tensor out = model->generate(frames, cond, eps, request.n_past, total);  // (N*B, total, C, H, W)
  out = out.narrow(1, request.n_past, request.horizon);
  out = out.reshape({N, B, request.horizon, out.size(2), out.size(3), out.size(4)}).transpose(0, 1);
  if (was_training) model->train();
  return out;
}

}  // namespace vidpred
