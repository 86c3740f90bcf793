#pragma once
#include <cstdint>

namespace vidpred::stages {

// The KL weight's factor per epoch: the KL term of the loss is weighted by
// loss.beta * factor(epoch).
class Annealer {
 public:
  static constexpr const char* kKind = "annealer";
  static constexpr const char* kKindDoc = "KL annealing: the factor of the KL weight per epoch";
  virtual ~Annealer() = default;
  virtual double factor(int64_t epoch, int64_t epochs) const = 0;
};

// The reference's cyclical schedule (frange_cycle_linear): `cycles` cycles of
// epochs/cycles epochs; in each, the factor rises from 0 by
// 1 / (period * ratio) per epoch while it is <= 1, then stays at 1.
double cyclical_factor(int64_t epoch, int64_t epochs, int64_t cycles, double ratio);

}  // namespace vidpred::stages
