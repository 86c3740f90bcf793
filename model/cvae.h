#pragma once
// The conditional VAE video predictor (SVG, fixed or learned prior):
// encoder/decoder with skips, LSTM frame predictor, Gaussian LSTM posterior.
// Tensors in, tensors out: one training step's losses, and generation.
#include <memory>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/cvae_options.h"
#include "model/lstm.h"
#include "model/prior.h"
#include "model/vgg.h"
#include "model/warp.h"

namespace vidpred::model {

struct StepLosses {
  at::Tensor mse;  // sum over steps of the per-step mean squared error
  at::Tensor kld;  // sum over steps of KL(q || p), divided by the batch size
  at::Tensor predicted;  // (B, T-1, C, H, W): frames 1..T-1 as decoded, for losses on the frames
};

// What a training step used, step by step (index i = 1..T-1), for tests and
// debugging: which encoding fed the predictor, and the encodings it could have been.
struct StepTrace {
  std::vector<at::Tensor> h_prev;              // the encoding fed to the predictor at step i
  std::vector<at::Tensor> truth_encoding;      // encoder(x_i) of the ground truth, the posterior's input
  // Without teacher forcing: encoder(x_hat_i) for i = n_past .. T-2, the
  // predictions a later step sees.
  std::vector<at::Tensor> prediction_encoding;
};

// What generation knows of a start once it has seen the observed frames;
// the same for every future drawn from it, so planning computes it once for
// hundreds of futures. Rows: one per start (a batch of 1 broadcasts).
struct ObservedStart {
  at::Tensor frames;                 // (B, n_past, C, H, W): the observed frames
  std::vector<Encoded> encodings;    // per observed frame
  std::vector<Gaussian> posterior;   // q(z) of observed frames 1 .. n_past - 1
  LstmState prior_state;             // the prior's, after observed frames 0 .. n_past - 2
  int64_t n_past() const { return frames.size(1); }
};

class CvaeImpl : public torch::nn::Module {
 public:
  CvaeImpl(const CvaeOptions& options, std::shared_ptr<PriorImpl> prior);

  // One training step's forward pass on frames (B, T, C, 64, 64) in [0, 1] and
  // conditions (B, T, cond_dim). `eps` (T-1, B, z_dim) is the reparameterisation
  // noise. Teacher forcing feeds ground-truth encodings forward; without it the
  // encoding of each prediction feeds the next step.
  StepLosses forward(const at::Tensor& frames, const at::Tensor& cond, const at::Tensor& eps, int64_t n_past,
                     bool teacher_forcing, StepTrace* trace = nullptr);

  // Observes frames [0, n_past) and predicts up to `total` frames, conditioned
  // on cond (B, >= total, cond_dim); `frames` needs at least n_past frames.
  // Returns (B, total, C, 64, 64): the observed frames, then the predictions.
  // z is drawn from the prior with `eps` (total-1, B, z_dim). Call it in eval
  // mode under NoGradGuard.
  at::Tensor generate(const at::Tensor& frames, const at::Tensor& cond, const at::Tensor& eps, int64_t n_past,
                      int64_t total);

  // generate() in two parts. observe() encodes the observed frames (B, n_past,
  // C, H, W) once; generate_futures() predicts frames n_past .. total - 1 of
  // N futures under conditions (N, >= total, cond_dim) and noise (total - 1, N,
  // z_dim), each start row broadcast when B is 1: (N, total - n_past, C, H, W),
  // what generate() predicts for the start repeated N times. Eval mode, no grad.
  ObservedStart observe(const at::Tensor& frames, int64_t n_past);
  at::Tensor generate_futures(const ObservedStart& start, const at::Tensor& cond, const at::Tensor& eps,
                              int64_t total);

  // With normalize_cond: the statistics each condition dimension is standardised by.
  void set_cond_statistics(const at::Tensor& mean, const at::Tensor& deviation);

  const CvaeOptions& options() const { return options_; }
  void set_batch_frames(bool batch_frames) { options_.batch_frames = batch_frames; }
  Encoder encoder{nullptr};
  Decoder decoder{nullptr};
  FramePredictor frame_predictor{nullptr};
  GaussianLstm posterior{nullptr};
  std::shared_ptr<PriorImpl> prior;

 private:
  at::Tensor cond_mean_, cond_std_;  // registered only with normalize_cond
  // The decoder's output as a frame: itself, or with `warp` the frame its
  // mask and flow make of `source`: the true frame before it up to the last
  // observed one, then that one (with last_frame_skip always the frame
  // before, predicted after the observed ones).
  at::Tensor to_frame(const at::Tensor& decoded, const at::Tensor& source) const {
    return options_.warp ? warp_composite(decoded, source) : decoded;
  }
  // The frame predictor's output for step i (conditions of frame i - 1).
  at::Tensor predict_step(const at::Tensor& cond, int64_t i, const at::Tensor& h_prev, const at::Tensor& z,
                          LstmState& state);
  // Every frame of (B, T, C, H, W), by frame index.
  std::vector<Encoded> encode_frames(const at::Tensor& frames);
  // The decoder on each step's predictor output and skips, in one call: (B, steps, C, H, W).
  at::Tensor decode_frames(const std::vector<at::Tensor>& g, const std::vector<std::vector<at::Tensor>>& skips);

  CvaeOptions options_;
};
TORCH_MODULE(Cvae);

// The reference's initialisation: Conv*/Linear weights ~ N(0, 0.02), biases 0;
// BatchNorm weights ~ N(1, 0.02), biases 0 (LSTM cells keep their own).
void init_weights(torch::nn::Module& module);

}  // namespace vidpred::model
