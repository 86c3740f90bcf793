#pragma once
// Generation for evaluation and validation: n_past observed frames, then
// `horizon` predicted ones drawn with the prior, `samples` futures per
// sequence. Noise is keyed by the sequence's index in its split and the
// sample number, so a sequence gets the same futures in any batch, and
// sample n is the same whether drawn alone or with the others.
#include <cstdint>

#include <ATen/core/Tensor.h>

#include "model/cvae.h"
#include "stages/data/batch.h"

namespace vidpred {

struct GenerationRequest {
  int64_t n_past = 2;
  int64_t horizon = 10;
  int64_t samples = 1;
  uint64_t seed = 1;
  int64_t first_sample = 0;  // draws samples first_sample .. first_sample + samples - 1
};

// Predicted frames (B, samples, horizon, C, H, W) for a batch on the model's
// device. Runs the model in eval mode without gradients and restores its mode.
at::Tensor generate_samples(model::Cvae& model, const stages::Batch& batch, const GenerationRequest& request);

}  // namespace vidpred
