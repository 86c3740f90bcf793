#pragma once
// The trained model as a planner's dynamics: every candidate and future in
// one batched generation, the observed frames encoded once and broadcast.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "model/cvae.h"
#include "pipeline/run/dynamics.h"
#include "stages/kinematics/kinematics.h"

namespace vidpred {

// The present as the model sees it.
struct ModelStart {
  at::Tensor frames;    // (n_past, 3, 64, 64) float32 in [0, 1]: the last n_past frames
  at::Tensor history;   // (n_past - 1, 7): the conditions (action, then position) of all but the last of them
  at::Tensor position;  // (3): the end-effector at the last frame
};

// The start from n_past RGB frames (HWC, size x size each) and each frame's
// action (n_past x 4) and end-effector position (n_past x 3), row-major.
ModelStart model_start(const uint8_t* rgb, const std::vector<float>& actions, const std::vector<float>& positions,
                       int64_t n_past, int size);

class ModelDynamics : public Dynamics {
 public:
  // Futures are drawn with noise (seed, `key`, future): every candidate gets
  // the same noise, so candidates differ by their actions alone.
  // Candidates' positions follow from the start's by `kinematics` (the run's
  // [kinematics] stage), which must outlive the dynamics.
  ModelDynamics(model::Cvae model, c10::Device device, const ModelStart& start,
                const stages::Kinematics& kinematics, int64_t futures, uint64_t seed, uint64_t key);
  at::Tensor rollout(const at::Tensor& actions) override;

  // The model's conditions (N, n_past + H, 7) for candidates (N, H, 4): the
  // history, then each action beside the position it acts at.
  at::Tensor conditions(const at::Tensor& actions) const;
  // As rollout, with the noise given: (n_past + H - 1, N * F, z_dim), row n * F + f.
  at::Tensor rollout(const at::Tensor& actions, const at::Tensor& eps);
  // The noise rollout draws for N candidates of H actions.
  at::Tensor noise(int64_t candidates, int64_t horizon) const;

 private:
  model::Cvae model_;
  c10::Device device_;
  ModelStart start_;
  const stages::Kinematics* kinematics_;
  model::ObservedStart observed_;
  int64_t futures_;
  uint64_t seed_, key_;
};

}  // namespace vidpred
