#pragma once
// The recurrent parts of SVG: the deterministic frame predictor and the
// Gaussian LSTM used for the posterior (and the learned prior). State is
// passed explicitly and sized from the input, so any batch size works.
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/pimpl.h>

#include "model/batchnorm.h"

namespace vidpred::model {

struct LstmState {
  std::vector<at::Tensor> h, c;  // one pair per layer; empty until the first step
};

// A diagonal Gaussian; undefined tensors stand for N(0, I).
struct Gaussian {
  at::Tensor mu, logvar;
  bool standard() const { return !mu.defined(); }
};

// mu + eps * exp(logvar / 2).
at::Tensor sample(const Gaussian& g, const at::Tensor& eps);
// KL(q || p) summed over all elements.
at::Tensor kl_divergence(const Gaussian& q, const Gaussian& p);

// Linear(in -> hidden), `layers` stacked LSTMCells, Linear(hidden -> out) ->
// BatchNorm1d -> Tanh.
class FramePredictorImpl : public torch::nn::Module {
 public:
  FramePredictorImpl(int64_t in, int64_t out, int64_t hidden, int64_t layers);
  at::Tensor forward(const at::Tensor& input, LstmState& state);

 private:
  torch::nn::Linear embed_{nullptr}, project_{nullptr};
  torch::nn::ModuleList cells_{nullptr};
  SyncBatchNorm1d norm_{nullptr};
};
TORCH_MODULE(FramePredictor);

// Linear(in -> hidden), `layers` LSTMCells, then Linear heads for mu and logvar.
class GaussianLstmImpl : public torch::nn::Module {
 public:
  GaussianLstmImpl(int64_t in, int64_t out, int64_t hidden, int64_t layers);
  Gaussian forward(const at::Tensor& input, LstmState& state);

 private:
  torch::nn::Linear embed_{nullptr}, mu_{nullptr}, logvar_{nullptr};
  torch::nn::ModuleList cells_{nullptr};
};
TORCH_MODULE(GaussianLstm);

}  // namespace vidpred::model
