#pragma once
// The reparameterisation noise of a batch, drawn per row from a counter-based
// stream keyed by (seed, stream, key, row key, step): a row's noise does not
// depend on the batch it is in, the rank that computes it or a resume.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace vidpred {

// (steps, rows, dim) float32 standard normal noise on the CPU.
at::Tensor counter_noise(uint64_t seed, uint64_t stream, uint64_t key, const std::vector<int64_t>& row_keys,
                         int64_t steps, int64_t dim);

// Streams of noise used by the runs.
enum NoiseStream : uint64_t {
  kTrainNoise = 0x401,
  kEvalNoise = 0x402,
  kTeacherForcingDraw = 0x403,
  kPlanNoise = 0x404,
};

}  // namespace vidpred
