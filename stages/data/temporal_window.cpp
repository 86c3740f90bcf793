#include "pipeline/config/registry.h"
#include "stages/data/augmenter.h"

namespace vidpred::stages {
namespace {

// A random start for the window of n_past + n_future frames within the
// trajectory (the reference always starts at frame 0).
class TemporalWindowAugmenter : public Augmenter {
 public:
  using Interface = Augmenter;
  static constexpr const char* kName = "temporal_window";
  static constexpr const char* kSummary = "start each training sequence at a random frame of its trajectory";
  static Schema schema() {
    return Schema().integer("max_start", -1, "latest start frame (-1: as late as the trajectory allows)", {-1, {}});
  }
  explicit TemporalWindowAugmenter(const Params& p) : max_start_(p.integer("max_start")) {}

  std::optional<int64_t> window_start(int64_t available, int64_t length, CounterRng& rng) const override {
    int64_t latest = available - length;
    if (max_start_ >= 0) latest = std::min(latest, max_start_);
    return latest <= 0 ? 0 : int64_t(rng.below(uint64_t(latest + 1)));
  }

 private:
  int64_t max_start_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(TemporalWindowAugmenter)
}  // namespace vidpred::stages
