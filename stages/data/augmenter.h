#pragma once
#include <cstdint>
#include <optional>

#include "pipeline/core/random.h"

namespace vidpred::stages {

// One sequence as augmenters see it, in the batch's memory.
struct SequenceView {
  float* frames;  // T x 3 x H x W, values in [0, 1]
  float* cond;    // T x 7
  int64_t length, height, width;
};

// A per-sequence augmentation: the same transform for every frame of a
// sequence, drawn from `rng`, which the data graph keys by (run seed, epoch,
// sample, augmenter position) so that results do not depend on thread count.
class Augmenter {
 public:
  static constexpr const char* kKind = "augmenter";
  static constexpr const char* kKindDoc = "per-sequence data augmentation (training only)";
  virtual ~Augmenter() = default;
  // Where the window of `length` frames starts in a trajectory of
  // `available` frames; nullopt leaves the choice to others (default 0).
  virtual std::optional<int64_t> window_start(int64_t available, int64_t length, CounterRng& rng) const {
    return std::nullopt;
  }
  virtual void apply(SequenceView& sequence, CounterRng& rng) const {}
};

}  // namespace vidpred::stages
