#include "pipeline/run/model_dynamics.h"

#include <numeric>

#include <fmt/format.h>
#include <torch/torch.h>

#include "converters/trajectory.h"
#include "pipeline/core/error.h"
#include "pipeline/run/frames.h"
#include "pipeline/run/noise.h"

namespace vidpred {

ModelStart model_start(const uint8_t* rgb, const std::vector<float>& actions, const std::vector<float>& positions,
                       int64_t n_past, int size) {
  if (int64_t(actions.size()) < n_past * kActionDim || int64_t(positions.size()) < n_past * kEndEffectorDim) {
    throw Error(fmt::format("the model's start needs {} frames' actions and positions, got {} and {} values", n_past,
                            actions.size(), positions.size()));
  }
  auto rows = [&](const std::vector<float>& values, int64_t columns) {
    return torch::from_blob(const_cast<float*>(values.data()), {n_past, columns}, torch::kFloat).clone();
  };
  at::Tensor conditions = torch::cat({rows(actions, kActionDim), rows(positions, kEndEffectorDim)}, 1);
  return {frames_tensor(rgb, n_past, size, size), conditions.narrow(0, 0, n_past - 1),
          conditions[n_past - 1].narrow(0, kActionDim, kEndEffectorDim)};
}

ModelDynamics::ModelDynamics(model::Cvae model, c10::Device device, const ModelStart& start,
                             const stages::Kinematics& kinematics, int64_t futures, uint64_t seed, uint64_t key)
    : model_(std::move(model)),
      device_(device),
      start_(start),
      kinematics_(&kinematics),
      futures_(futures),
      seed_(seed),
      key_(key) {
  model_->eval();
  c10::InferenceMode inference;
  observed_ = model_->observe(start_.frames.unsqueeze(0).to(device_), start_.frames.size(0));
}

at::Tensor ModelDynamics::conditions(const at::Tensor& actions) const {
  const int64_t N = actions.size(0);
  // One row more than the actions: generation takes a condition per frame;
  // the last frame's is never read, so it is a still action at the end position.
  at::Tensor extended = torch::cat({actions, torch::zeros({N, 1, actions.size(2)}, actions.options())}, 1);
  at::Tensor positions = kinematics_->positions(start_.position.unsqueeze(0).expand({N, -1}), extended);
  at::Tensor planned = torch::cat({extended, positions}, 2);  // (N, H + 1, 7)
  at::Tensor history = start_.history.unsqueeze(0).expand({N, -1, -1});
  return torch::cat({history, planned}, 1);
}

at::Tensor ModelDynamics::noise(int64_t candidates, int64_t horizon) const {
  const int64_t steps = start_.frames.size(0) + horizon - 1;
  std::vector<int64_t> futures(size_t(futures_), 0);
  std::iota(futures.begin(), futures.end(), 0);
  at::Tensor per_future = counter_noise(seed_, kPlanNoise, key_, futures, steps, model_->options().z_dim);
  return per_future.repeat({1, candidates, 1});  // row n * F + f: future f of candidate n
}

at::Tensor ModelDynamics::rollout(const at::Tensor& actions) {
  return rollout(actions, noise(actions.size(0), actions.size(1)));
}

at::Tensor ModelDynamics::rollout(const at::Tensor& actions, const at::Tensor& eps) {
  c10::InferenceMode inference;
  const int64_t N = actions.size(0), H = actions.size(1), F = eps.size(1) / N;
  const int64_t total = start_.frames.size(0) + H;
  at::Tensor cond = conditions(actions).repeat_interleave(F, 0).to(device_);
  at::Tensor futures = model_->generate_futures(observed_, cond, eps.to(device_), total);
  return futures.view({N, F, H, futures.size(2), futures.size(3), futures.size(4)}).cpu();
}

}  // namespace vidpred
