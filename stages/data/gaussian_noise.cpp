#include <algorithm>

#include "pipeline/config/registry.h"
#include "stages/data/augmenter.h"

namespace vidpred::stages {
namespace {

class GaussianNoiseAugmenter : public Augmenter {
 public:
  using Interface = Augmenter;
  static constexpr const char* kName = "gaussian_noise";
  static constexpr const char* kSummary = "additive Gaussian pixel noise, clamped to [0, 1]";
  static Schema schema() {
    return Schema()
        .real("std", 0.02, "noise standard deviation", {0.0, 1.0})
        .real("probability", 1.0, "share of sequences with noise", {0.0, 1.0});
  }
  explicit GaussianNoiseAugmenter(const Params& p) : std_(p.real("std")), probability_(p.real("probability")) {}

  void apply(SequenceView& s, CounterRng& rng) const override {
    if (!rng.bernoulli(probability_)) return;
    const int64_t n = s.length * 3 * s.height * s.width;
    for (int64_t i = 0; i < n; ++i) {
      s.frames[i] = std::clamp(s.frames[i] + float(std_ * rng.normal()), 0.0f, 1.0f);
    }
  }

 private:
  double std_, probability_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(GaussianNoiseAugmenter)
}  // namespace vidpred::stages
