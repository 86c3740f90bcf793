#include "model/lstm.h"

#include <torch/torch.h>

namespace vidpred::model {
namespace nn = torch::nn;

at::Tensor sample(const Gaussian& g, const at::Tensor& eps) {
  if (g.standard()) return eps;
  return g.mu + eps * torch::exp(0.5 * g.logvar);
}

at::Tensor kl_divergence(const Gaussian& q, const Gaussian& p) {
  if (p.standard()) return -0.5 * torch::sum(1 + q.logvar - q.mu.pow(2) - q.logvar.exp());
  return 0.5 * torch::sum(p.logvar - q.logvar + (q.logvar.exp() + (q.mu - p.mu).pow(2)) / p.logvar.exp() - 1);
}

namespace {

nn::ModuleList lstm_cells(int64_t hidden, int64_t layers) {
  nn::ModuleList cells;
  for (int64_t i = 0; i < layers; ++i) cells->push_back(nn::LSTMCell(hidden, hidden));
  return cells;
}

// Runs the stacked cells one step; zero state the first time (any batch size).
at::Tensor step_cells(nn::ModuleList& cells, at::Tensor x, LstmState& state) {
  if (state.h.empty()) {
    auto zeros = torch::zeros({x.size(0), x.size(1)}, x.options());
    state.h.assign(cells->size(), zeros);
    state.c.assign(cells->size(), zeros);
  }
  for (size_t i = 0; i < cells->size(); ++i) {
    auto [h, c] = cells[i]->as<nn::LSTMCell>()->forward(x, std::make_tuple(state.h[i], state.c[i]));
    state.h[i] = h;
    state.c[i] = c;
    x = h;
  }
  return x;
}

}  // namespace

FramePredictorImpl::FramePredictorImpl(int64_t in, int64_t out, int64_t hidden, int64_t layers) {
  embed_ = register_module("embed", nn::Linear(in, hidden));
  cells_ = register_module("lstm", lstm_cells(hidden, layers));
  project_ = register_module("output", nn::Linear(hidden, out));
  norm_ = register_module("output_norm", SyncBatchNorm1d(out));
}

at::Tensor FramePredictorImpl::forward(const at::Tensor& input, LstmState& state) {
  at::Tensor h = step_cells(cells_, embed_->forward(input), state);
  return torch::tanh(norm_->forward(project_->forward(h)));
}

GaussianLstmImpl::GaussianLstmImpl(int64_t in, int64_t out, int64_t hidden, int64_t layers) {
  embed_ = register_module("embed", nn::Linear(in, hidden));
  cells_ = register_module("lstm", lstm_cells(hidden, layers));
  mu_ = register_module("mu", nn::Linear(hidden, out));
  logvar_ = register_module("logvar", nn::Linear(hidden, out));
}

Gaussian GaussianLstmImpl::forward(const at::Tensor& input, LstmState& state) {
  at::Tensor h = step_cells(cells_, embed_->forward(input), state);
  return {mu_->forward(h), logvar_->forward(h)};
}

}  // namespace vidpred::model
