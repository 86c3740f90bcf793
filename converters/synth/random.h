#pragma once
// Randomness for the synthetic world: our own generator and distributions, so
// that the bytes do not depend on the standard library. Floats, unlike
// pipeline's CounterRng.
#include <cstdint>

#include "pipeline/core/random.h"

namespace vidpred::synth {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { return splitmix64(state_ += 0x9e3779b97f4a7c15ull); }
  float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  int below(int n) { return int((next() >> 33) % uint64_t(n)); }
  bool chance(float p) { return uniform() < p; }
  // Irwin-Hall: plain arithmetic, unit variance, close enough to a normal.
  float normal() { return (uniform() + uniform() + uniform() + uniform() - 2.0f) * 1.7320508f; }

 private:
  uint64_t state_;
};

}  // namespace vidpred::synth
