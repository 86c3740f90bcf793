#include "pipeline/run/noise.h"

#include <ATen/ops/empty.h>

#include "pipeline/core/random.h"

namespace vidpred {

at::Tensor counter_noise(uint64_t seed, uint64_t stream, uint64_t key, const std::vector<int64_t>& row_keys,
                         int64_t steps, int64_t dim) {
  const int64_t rows = int64_t(row_keys.size());
  at::Tensor noise = at::empty({steps, rows, dim}, at::TensorOptions().dtype(at::kFloat));
  float* data = noise.data_ptr<float>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t s = 0; s < steps; ++s) {
      CounterRng rng(seed, {stream, key, uint64_t(row_keys[r]), uint64_t(s)});
      float* out = data + (s * rows + r) * dim;
      for (int64_t d = 0; d < dim; ++d) out[d] = float(rng.normal());
    }
  }
  return noise;
}

}  // namespace vidpred
