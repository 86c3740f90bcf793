#include "model/cvae.h"

#include <torch/torch.h>

namespace vidpred::model {
namespace nn = torch::nn;

CvaeImpl::CvaeImpl(const CvaeOptions& o, std::shared_ptr<PriorImpl> prior_module) : options_(o) {
  frame_predictor = register_module(
      "frame_predictor",
      FramePredictor(o.g_dim + o.z_dim + (o.conditioned ? o.cond_dim : 0), o.g_dim, o.rnn_size, o.predictor_layers));
  posterior = register_module("posterior", GaussianLstm(o.g_dim, o.z_dim, o.rnn_size, o.posterior_layers));
  encoder = register_module("encoder", Encoder(o.g_dim, o.width, o.channels));
  decoder = register_module("decoder", Decoder(o.g_dim, o.width, o.channels + (o.warp ? kWarpChannels : 0)));
  prior = register_module("prior", std::move(prior_module));
  if (o.normalize_cond && o.conditioned) {
    cond_mean_ = register_buffer("cond_mean", torch::zeros({o.cond_dim}));
    cond_std_ = register_buffer("cond_std", torch::ones({o.cond_dim}));
  }
}

void CvaeImpl::set_cond_statistics(const at::Tensor& mean, const at::Tensor& deviation) {
  TORCH_CHECK(options_.normalize_cond && options_.conditioned,
              "set_cond_statistics: the model does not normalise its conditions");
  torch::NoGradGuard no_grad;
  cond_mean_.copy_(mean);
  // A constant dimension (an unused gripper channel) stays as it is, centred.
  cond_std_.copy_(torch::where(deviation > 1e-6, deviation, torch::ones_like(deviation)));
}

at::Tensor CvaeImpl::predict_step(const at::Tensor& cond, int64_t i, const at::Tensor& h_prev, const at::Tensor& z,
                                  LstmState& state) {
  if (!options_.conditioned) return frame_predictor->forward(torch::cat({h_prev, z}, 1), state);
  at::Tensor c = cond.select(1, i - 1);
  if (options_.normalize_cond) c = (c - cond_mean_) / cond_std_;
  return frame_predictor->forward(torch::cat({c, h_prev, z}, 1), state);
}

std::vector<Encoded> CvaeImpl::encode_frames(const at::Tensor& frames) {
  const int64_t batch = frames.size(0), T = frames.size(1);
  std::vector<Encoded> seq;
  seq.reserve(size_t(T));
  if (!options_.batch_frames) {
    for (int64_t j = 0; j < T; ++j) seq.push_back(encoder->forward(frames.select(1, j)));
    return seq;
  }
  Encoded all;
  {
    FrameBatches per_frame(*encoder, T);
    all = encoder->forward(frames.flatten(0, 1));  // sample-major rows: (B * T, C, H, W)
  }
  // Each output's rows back to (B, T, ...), frame j a view of it.
  auto frame = [&](const at::Tensor& rows, int64_t j) { return rows.unflatten(0, {batch, T}).select(1, j); };
  for (int64_t j = 0; j < T; ++j) {
    Encoded e{frame(all.h, j), {}};
    for (const auto& skip : all.skips) e.skips.push_back(frame(skip, j));
    seq.push_back(std::move(e));
  }
  return seq;
}

at::Tensor CvaeImpl::decode_frames(const std::vector<at::Tensor>& g, const std::vector<std::vector<at::Tensor>>& skips) {
  const int64_t n = int64_t(g.size()), batch = g.front().size(0);
  // (B, n, ...) stacked, then sample-major rows (B * n, ...).
  auto stacked = [](const std::vector<at::Tensor>& per_step) { return torch::stack(per_step, 1).flatten(0, 1); };
  std::vector<at::Tensor> skip_batches;
  for (size_t level = 0; level < skips.front().size(); ++level) {
    std::vector<at::Tensor> per_step;
    for (const auto& s : skips) per_step.push_back(s[level]);
    skip_batches.push_back(stacked(per_step));
  }
  FrameBatches per_frame(*decoder, n);
  return decoder->forward(stacked(g), skip_batches).unflatten(0, {batch, n});  // (B, n, C, H, W)
}

StepLosses CvaeImpl::forward(const at::Tensor& frames, const at::Tensor& cond, const at::Tensor& eps, int64_t n_past,
                             bool teacher_forcing, StepTrace* trace) {
  const int64_t T = frames.size(1), batch = frames.size(0);
  TORCH_CHECK(T >= n_past + 1 && n_past >= 1, "need at least n_past + 1 frames, got ", T);
  TORCH_CHECK(n_past >= 2 || options_.last_frame_skip, "n_past = 1 needs last_frame_skip (no skips to decode with)");
  LstmState predictor_state, posterior_state, prior_state;

  // BatchNorm statistics are per frame batch, as the reference's frame-by-frame calls give.
  std::vector<Encoded> seq = encode_frames(frames);
  // With teacher forcing no prediction feeds the recurrence, so every frame
  // can be decoded in one batched call after the loop (same statistics).
  const bool decode_after = options_.batch_frames && teacher_forcing;
  std::vector<at::Tensor> predictor_outputs, step_sources;
  std::vector<std::vector<at::Tensor>> step_skips;

  at::Tensor mse = torch::zeros({}, frames.options());
  at::Tensor kld = torch::zeros({}, frames.options());
  std::vector<at::Tensor> skip, decoded;
  // The frame a warping decoder moves: the true one before the current one
  // up to the last observed one, as in generation, then that one; with
  // last_frame_skip always the one before, true or, without teacher forcing,
  // predicted.
  at::Tensor source;
  for (int64_t i = 1; i < T; ++i) {
    at::Tensor h_target = seq[i].h;
    at::Tensor h_prev = seq[i - 1].h;
    if (i < n_past || options_.last_frame_skip) skip = seq[i - 1].skips;
    if (i <= n_past || (options_.last_frame_skip && teacher_forcing)) source = frames.select(1, i - 1);
    if (trace) trace->h_prev.push_back(h_prev.detach());

    Gaussian q = posterior->forward(h_target, posterior_state);
    Gaussian p = prior->step(h_prev, prior_state);
    at::Tensor g = predict_step(cond, i, h_prev, sample(q, eps[i - 1]), predictor_state);
    kld = kld + kl_divergence(q, p) / batch;
    if (trace) trace->truth_encoding.push_back(h_target.detach());
    if (decode_after) {
      predictor_outputs.push_back(g);
      step_skips.push_back(skip);
      if (options_.warp) step_sources.push_back(source);
      continue;
    }
    at::Tensor x_hat = to_frame(decoder->forward(g, skip), source);
    if (options_.last_frame_skip) source = x_hat;  // the next step's, unless the truth replaces it above
    // Without teacher forcing the next step sees this prediction, as in
    // generation: from the first predicted frame on (observed frames are
    // seen as they are there) and up to the last but one (the last feeds no
    // later step).
    if (!teacher_forcing && i >= n_past && i + 1 < T) {
      seq[i] = encoder->forward(x_hat);
      if (trace) trace->prediction_encoding.push_back(seq[i].h.detach());
    }
    mse = mse + torch::mse_loss(x_hat, frames.select(1, i));
    decoded.push_back(x_hat);
  }
  if (decode_after) {
    // Every step's frame has the same element count: the sum of per-step
    // means is (T - 1) times the mean over all of them.
    at::Tensor predicted = decode_frames(predictor_outputs, step_skips);
    if (options_.warp) predicted = to_frame(predicted, torch::stack(step_sources, 1));
    mse = torch::mse_loss(predicted, frames.narrow(1, 1, T - 1)) * double(T - 1);
    return {mse, kld, predicted};
  }
  return {mse, kld, torch::stack(decoded, 1)};
}

at::Tensor CvaeImpl::generate(const at::Tensor& frames, const at::Tensor& cond, const at::Tensor& eps, int64_t n_past,
                              int64_t total) {
  TORCH_CHECK(frames.size(1) >= n_past && cond.size(1) >= total && total > n_past, "generate: bad lengths");
  ObservedStart start = observe(frames, n_past);
  return torch::cat({start.frames, generate_futures(start, cond, eps, total)}, 1);
}

ObservedStart CvaeImpl::observe(const at::Tensor& frames, int64_t n_past) {
  TORCH_CHECK(frames.size(1) >= n_past && n_past >= 1, "observe: fewer frames than n_past");
  TORCH_CHECK(n_past >= 2 || options_.last_frame_skip, "n_past = 1 needs last_frame_skip (no skips to decode with)");
  ObservedStart start;
  start.frames = frames.narrow(1, 0, n_past);
  LstmState posterior_state;
  // Frame by frame: warm the recurrent states on the ground truth.
  start.encodings.push_back(encoder->forward(frames.select(1, 0)));
  for (int64_t i = 1; i < n_past; ++i) {
    prior->step(start.encodings.back().h, start.prior_state);
    start.encodings.push_back(encoder->forward(frames.select(1, i)));
    start.posterior.push_back(posterior->forward(start.encodings.back().h, posterior_state));
  }
  return start;
}

namespace {

// `t`'s rows for a batch of `rows`: itself, or its single row broadcast.
at::Tensor broadcast_rows(const at::Tensor& t, int64_t rows) {
  if (t.size(0) == rows) return t;
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end());
  sizes[0] = rows;
  return t.expand(sizes);
}

std::vector<at::Tensor> broadcast_rows(const std::vector<at::Tensor>& ts, int64_t rows) {
  std::vector<at::Tensor> out;
  for (const auto& t : ts) out.push_back(broadcast_rows(t, rows));
  return out;
}

}  // namespace

at::Tensor CvaeImpl::generate_futures(const ObservedStart& start, const at::Tensor& cond, const at::Tensor& eps,
                                      int64_t total) {
  const int64_t n_past = start.n_past(), rows = cond.size(0);
  TORCH_CHECK(cond.size(1) >= total && total > n_past && eps.size(0) >= total - 1, "generate_futures: bad lengths");
  LstmState predictor_state, prior_state;
  prior_state.h = broadcast_rows(start.prior_state.h, rows);
  prior_state.c = broadcast_rows(start.prior_state.c, rows);
  for (int64_t i = 1; i < n_past; ++i) {
    const at::Tensor h_prev = broadcast_rows(start.encodings[size_t(i - 1)].h, rows);
    predict_step(cond, i, h_prev, sample(start.posterior[size_t(i - 1)], eps[i - 1]), predictor_state);
  }
  // Without last_frame_skip the skips stay those the last observed step
  // decoded with (frame n_past - 2's), and a warping decoder moves the last
  // observed frame; with it, both come from the frame before each prediction.
  Encoded previous = start.encodings.back();
  std::vector<at::Tensor> skip = broadcast_rows(
      options_.last_frame_skip ? previous.skips : start.encodings[size_t(n_past - 2)].skips, rows);
  at::Tensor source = broadcast_rows(start.frames.select(1, n_past - 1), rows);
  at::Tensor h_prev = broadcast_rows(previous.h, rows);
  std::vector<at::Tensor> out;
  for (int64_t i = n_past; i < total; ++i) {
    Gaussian p = prior->step(h_prev, prior_state);
    at::Tensor g = predict_step(cond, i, h_prev, sample(p, eps[i - 1]), predictor_state);
    at::Tensor x_hat = to_frame(decoder->forward(g, skip), source);
    out.push_back(x_hat);
    if (i + 1 == total) break;  // the last prediction's encoding would feed nothing
    previous = encoder->forward(x_hat);
    h_prev = previous.h;
    if (options_.last_frame_skip) {
      skip = previous.skips;
      source = x_hat;
    }
  }
  return torch::stack(out, 1);
}

void init_weights(nn::Module& module) {
  torch::NoGradGuard no_grad;
  // The reference's N(0, 0.02) weights and zero biases, for every layer with a weight matrix.
  auto init_layer = [](at::Tensor& weight, at::Tensor& bias) {
    weight.normal_(0.0, 0.02);
    if (bias.defined()) bias.zero_();
  };
  for (auto& m : module.modules(/*include_self=*/true)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      init_layer(conv->weight, conv->bias);
    } else if (auto* deconv = m->as<nn::ConvTranspose2d>()) {
      init_layer(deconv->weight, deconv->bias);
    } else if (auto* linear = m->as<nn::Linear>()) {
      init_layer(linear->weight, linear->bias);
    } else if (auto* bn2 = m->as<SyncBatchNorm2d>()) {
      bn2->init_affine(0.02);
    } else if (auto* bn1 = m->as<SyncBatchNorm1d>()) {
      bn1->init_affine(0.02);
    }
  }
}

}  // namespace vidpred::model
