#include "model/cvae.h"

#include <torch/torch.h>

namespace vidpred::model {
namespace nn = torch::nn;

CvaeImpl::CvaeImpl(const CvaeOptions& o, std::shared_ptr<PriorImpl> prior_module) : options_(o) {
  frame_predictor = register_module(
      "frame_predictor", FramePredictor(o.g_dim + o.z_dim + o.cond_dim, o.g_dim, o.rnn_size, o.predictor_layers));
  posterior = register_module("posterior", GaussianLstm(o.g_dim, o.z_dim, o.rnn_size, o.posterior_layers));
  encoder = register_module("encoder", Encoder(o.g_dim, o.width, o.channels));
  decoder = register_module("decoder", Decoder(o.g_dim, o.width, o.channels));
  prior = register_module("prior", std::move(prior_module));
}

StepLosses CvaeImpl::forward(const at::Tensor& frames, const at::Tensor& cond, const at::Tensor& eps, int64_t n_past,
                             bool teacher_forcing, StepTrace* trace) {
  const int64_t T = frames.size(1), batch = frames.size(0);
  TORCH_CHECK(T >= n_past + 1 && n_past >= 1, "need at least n_past + 1 frames, got ", T);
  TORCH_CHECK(n_past >= 2 || options_.last_frame_skip, "n_past = 1 needs last_frame_skip (no skips to decode with)");
  LstmState predictor_state, posterior_state, prior_state;

  // Frame by frame, as the reference does: BatchNorm statistics are per frame batch.
  std::vector<Encoded> seq;
  seq.reserve(T);
  for (int64_t j = 0; j < T; ++j) seq.push_back(encoder->forward(frames.select(1, j)));

  at::Tensor mse = torch::zeros({}, frames.options());
  at::Tensor kld = torch::zeros({}, frames.options());
  std::vector<at::Tensor> skip;
  for (int64_t i = 1; i < T; ++i) {
    at::Tensor h_target = seq[i].h;
    at::Tensor h_prev = seq[i - 1].h;
    if (i < n_past || options_.last_frame_skip) skip = seq[i - 1].skips;
    if (trace) trace->h_prev.push_back(h_prev.detach());

    Gaussian q = posterior->forward(h_target, posterior_state);
    Gaussian p = prior->step(h_prev, prior_state);
    at::Tensor z = sample(q, eps[i - 1]);
    at::Tensor g = frame_predictor->forward(torch::cat({cond.select(1, i - 1), h_prev, z}, 1), predictor_state);
    at::Tensor x_hat = decoder->forward(g, skip);
    if (!teacher_forcing) {
      seq[i] = encoder->forward(x_hat);
      if (trace) trace->prediction_encoding.push_back(seq[i].h.detach());
    }
    if (trace) trace->truth_encoding.push_back(h_target.detach());
    mse = mse + torch::mse_loss(x_hat, frames.select(1, i));
    kld = kld + kl_divergence(q, p) / batch;
  }
  return {mse, kld};
}

at::Tensor CvaeImpl::generate(const at::Tensor& frames, const at::Tensor& cond, const at::Tensor& eps, int64_t n_past,
                              int64_t total) {
  TORCH_CHECK(frames.size(1) >= n_past && cond.size(1) >= total && total > n_past, "generate: bad lengths");
  TORCH_CHECK(n_past >= 2 || options_.last_frame_skip, "n_past = 1 needs last_frame_skip (no skips to decode with)");
  LstmState predictor_state, posterior_state, prior_state;
  std::vector<at::Tensor> out{frames.select(1, 0)};
  Encoded previous = encoder->forward(frames.select(1, 0));
  std::vector<at::Tensor> skip;
  for (int64_t i = 1; i < total; ++i) {
    if (i < n_past || options_.last_frame_skip) skip = previous.skips;
    at::Tensor h_prev = previous.h;
    Gaussian p = prior->step(h_prev, prior_state);
    if (i < n_past) {
      // Observed: warm the recurrent states on the ground truth.
      at::Tensor x = frames.select(1, i);
      Encoded current = encoder->forward(x);
      at::Tensor z = sample(posterior->forward(current.h, posterior_state), eps[i - 1]);
      frame_predictor->forward(torch::cat({cond.select(1, i - 1), h_prev, z}, 1), predictor_state);
      out.push_back(x);
      previous = std::move(current);
    } else {
      at::Tensor z = sample(p, eps[i - 1]);
      at::Tensor g = frame_predictor->forward(torch::cat({cond.select(1, i - 1), h_prev, z}, 1), predictor_state);
      at::Tensor x_hat = decoder->forward(g, skip);
      out.push_back(x_hat);
      previous = encoder->forward(x_hat);
    }
  }
  return torch::stack(out, 1);
}

void init_weights(nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/true)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      conv->weight.normal_(0.0, 0.02);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* deconv = m->as<nn::ConvTranspose2d>()) {
      deconv->weight.normal_(0.0, 0.02);
      if (deconv->bias.defined()) deconv->bias.zero_();
    } else if (auto* linear = m->as<nn::Linear>()) {
      linear->weight.normal_(0.0, 0.02);
      linear->bias.zero_();
    } else if (auto* bn2 = m->as<SyncBatchNorm2d>()) {
      bn2->init_affine(0.02);
    } else if (auto* bn1 = m->as<SyncBatchNorm1d>()) {
      bn1->init_affine(0.02);
    }
  }
}

}  // namespace vidpred::model
