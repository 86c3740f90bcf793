#pragma once
// The prior over the latent z: N(0, I) in the reference ("fixed"), or a
// Gaussian LSTM on the previous frame's encoding (SVG-LP, "learned").
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/lstm.h"

namespace vidpred::model {

class PriorImpl : public torch::nn::Module {
 public:
  // The prior's Gaussian for this step, given the previous frame's encoding.
  virtual Gaussian step(const at::Tensor& h_prev, LstmState& state) = 0;
};

class FixedPriorImpl : public PriorImpl {
 public:
  Gaussian step(const at::Tensor&, LstmState&) override { return {}; }
};

class LearnedPriorImpl : public PriorImpl {
 public:
  LearnedPriorImpl(int64_t g_dim, int64_t z_dim, int64_t hidden, int64_t layers)
      : lstm_(register_module("lstm", GaussianLstm(g_dim, z_dim, hidden, layers))) {}
  Gaussian step(const at::Tensor& h_prev, LstmState& state) override { return lstm_->forward(h_prev, state); }

 private:
  GaussianLstm lstm_;
};

}  // namespace vidpred::model
