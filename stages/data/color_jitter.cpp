#include <algorithm>

#include "pipeline/config/registry.h"
#include "stages/data/augmenter.h"

namespace vidpred::stages {
namespace {

// Brightness, contrast and saturation factors drawn once per sequence from
// [1 - x, 1 + x], applied to every frame (as torchvision's ColorJitter does
// per image).
class ColorJitterAugmenter : public Augmenter {
 public:
  using Interface = Augmenter;
  static constexpr const char* kName = "color_jitter";
  static constexpr const char* kSummary = "per-sequence brightness, contrast and saturation jitter";
  static Schema schema() {
    return Schema()
        .real("brightness", 0.2, "brightness factor range 1 +- x", {0.0, 1.0})
        .real("contrast", 0.2, "contrast factor range 1 +- x", {0.0, 1.0})
        .real("saturation", 0.2, "saturation factor range 1 +- x", {0.0, 1.0})
        .real("probability", 1.0, "share of sequences jittered", {0.0, 1.0});
  }
  explicit ColorJitterAugmenter(const Params& p)
      : brightness_(p.real("brightness")),
        contrast_(p.real("contrast")),
        saturation_(p.real("saturation")),
        probability_(p.real("probability")) {}

  void apply(SequenceView& s, CounterRng& rng) const override {
    if (!rng.bernoulli(probability_)) return;
    const float b = float(rng.uniform(1 - brightness_, 1 + brightness_));
    const float c = float(rng.uniform(1 - contrast_, 1 + contrast_));
    const float sat = float(rng.uniform(1 - saturation_, 1 + saturation_));
    const int64_t plane = s.height * s.width;
    for (int64_t t = 0; t < s.length; ++t) {
      float* r = s.frames + t * 3 * plane;
      float* g = r + plane;
      float* bl = g + plane;
      double sum = 0;
      for (int64_t i = 0; i < plane; ++i) sum += 0.299f * r[i] + 0.587f * g[i] + 0.114f * bl[i];
      const float mean_gray = float(sum / double(plane)) * b;
      for (int64_t i = 0; i < plane; ++i) {
        float pr = r[i] * b, pg = g[i] * b, pb = bl[i] * b;
        pr = mean_gray + (pr - mean_gray) * c;
        pg = mean_gray + (pg - mean_gray) * c;
        pb = mean_gray + (pb - mean_gray) * c;
        const float gray = 0.299f * pr + 0.587f * pg + 0.114f * pb;
        r[i] = std::clamp(gray + (pr - gray) * sat, 0.0f, 1.0f);
        g[i] = std::clamp(gray + (pg - gray) * sat, 0.0f, 1.0f);
        bl[i] = std::clamp(gray + (pb - gray) * sat, 0.0f, 1.0f);
      }
    }
  }

 private:
  double brightness_, contrast_, saturation_, probability_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(ColorJitterAugmenter)
}  // namespace vidpred::stages
