#include <cmath>

#include "stages/schedules/annealer.h"

namespace vidpred::stages {

double cyclical_factor(int64_t epoch, int64_t epochs, int64_t cycles, double ratio) {
  const double period = double(epochs) / double(cycles);
  const double step = 1.0 / (period * ratio);
  // Where a cycle's ramp runs into the next cycle (ratio near 1), the later
  // cycle wins, so every cycle starts at 0: scan from the last.
  for (int64_t c = cycles - 1; c >= 0; --c) {
    // Epochs int(i + c * period) get i * step while that is <= 1.
    for (int64_t i = 0; i * step <= 1.0 + 1e-9; ++i) {
      int64_t e = int64_t(double(i) + double(c) * period);
      if (e >= epochs) break;
      if (e == epoch) return std::min(1.0, double(i) * step);
    }
  }
  return 1.0;
}

}  // namespace vidpred::stages
