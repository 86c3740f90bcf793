#pragma once
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace vidpred::stages {

inline constexpr int64_t kCondDim = 7;  // action (4) then end-effector position (3)

// One training-ready batch.
struct Batch {
  at::Tensor frames;             // (B, T, 3, H, W) float32 in [0, 1]
  at::Tensor cond;               // (B, T, 7) float32
  std::vector<int64_t> samples;    // each row's index in its split
  std::vector<int64_t> positions;  // each row's draw number in the epoch (global, whatever the shard)
  int64_t index = 0;             // the batch's number within its epoch
  int64_t global_rows = 0;       // rows of the whole batch, all shards together (short at an epoch's end)
};

}  // namespace vidpred::stages
