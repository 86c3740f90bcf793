#include <cmath>
#include <numeric>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "pipeline/config/registry.h"
#include "pipeline/core/error.h"
#include "stages/planning/cost.h"

namespace vidpred::stages {
namespace {

// The (n, n) matrix that blurs a line of n pixels by a Gaussian of `sigma`
// pixels, zero beyond the borders (frames and goal are blurred alike).
at::Tensor blur_matrix(int64_t n, double sigma, const at::TensorOptions& options) {
  const at::Tensor i = at::arange(n, options.dtype(at::kFloat));
  const at::Tensor d = i.unsqueeze(1) - i.unsqueeze(0);
  at::Tensor taps = at::exp(-d * d / (2 * sigma * sigma)) * (d.abs() <= std::ceil(3 * sigma));
  const at::Tensor centre = at::arange(-std::ceil(3 * sigma), std::ceil(3 * sigma) + 1, options.dtype(at::kFloat));
  return (taps / at::exp(-centre * centre / (2 * sigma * sigma)).sum()).to(options.dtype());
}

// (..., H, W) images blurred by a separable Gaussian, as two matrix products
// (BLAS runs them far faster than a one-channel convolution).
at::Tensor blurred(const at::Tensor& images, double sigma) {
  const at::Tensor rows = blur_matrix(images.size(-2), sigma, images.options());
  const at::Tensor columns = blur_matrix(images.size(-1), sigma, images.options());
  return at::matmul(at::matmul(rows, images), columns.t());
}

// The mean squared pixel difference of chosen predicted frames to the goal
// image, weighted over those frames. Blurring both first widens the basin:
// an arm a few pixels off the goal's arm still overlaps it, so nearer
// candidates score lower instead of every miss scoring the same.
class GoalMseCost : public Cost {
 public:
  using Interface = Cost;
  static constexpr const char* kName = "goal_mse";
  static constexpr const char* kSummary = "mean squared pixel distance of predicted frames to the goal image";
  static Schema schema() {
    return Schema()
        .string("frames", "all", "which predicted frames count: every one (getting there early and staying "
                                 "scores lower), or the last", {"all", "last"})
        .real_list("steps", {}, "the predicted frames that count, 1 = the first predicted; given, replaces `frames`",
                   {1, {}})
        .real_list("weights", {}, "one weight per counted frame (empty: equal)", {0, {}})
        .real("blur", 3.0, "Gaussian blur of frames and goal before comparing, sigma in pixels (0: none)", {0, 16});
  }
  explicit GoalMseCost(const Params& p)
      : all_(p.string("frames") == "all"),
        weights_(p.reals("weights")),
        blur_(p.real("blur")),
        weights_key_(p.where("weights")),
        steps_key_(p.where("steps")) {
    for (double step : p.reals("steps")) {
      if (step != std::floor(step)) p.fail("steps", fmt::format("{} is not a frame number", step));
      steps_.push_back(int64_t(step) - 1);
    }
    if (!weights_.empty() && std::accumulate(weights_.begin(), weights_.end(), 0.0) <= 0) {
      p.fail("weights", "need a positive sum (all zero would make every cost 0/0)");
    }
    if (!steps_.empty() && !weights_.empty() && weights_.size() != steps_.size()) {
      p.fail("weights", fmt::format("{} weights for {} steps", weights_.size(), steps_.size()));
    }
  }

  at::Tensor score(const at::Tensor& frames, const at::Tensor&, const Goal& goal) const override {
    const int64_t horizon = frames.size(1);
    check(horizon);
    const std::vector<int64_t> steps = counted(horizon);
    at::Tensor chosen = frames.index_select(1, at::tensor(steps, at::kLong).to(frames.device()));
    at::Tensor target = goal.image.to(frames.device(), frames.scalar_type());
    if (blur_ > 0) {
      chosen = blurred(chosen, blur_);
      target = blurred(target, blur_);
    }
    at::Tensor per_frame = (chosen - target).pow(2).mean({2, 3, 4});  // (N, steps)
    if (weights_.empty()) return per_frame.mean(1);
    at::Tensor w = at::tensor(std::vector<float>(weights_.begin(), weights_.end()), per_frame.options());
    return (per_frame * w).sum(1) / w.sum();
  }

  void check(int64_t horizon) const override {
    for (int64_t s : steps_) {
      if (s >= horizon) {
        throw Error(fmt::format("{}: counts predicted frame {}, past a plan of {} frames", steps_key_, s + 1, horizon));
      }
    }
    const size_t counted_frames = counted(horizon).size();
    if (!weights_.empty() && weights_.size() != counted_frames) {
      throw Error(fmt::format("{}: {} weights for the {} counted frames of a {}-frame plan", weights_key_,
                              weights_.size(), counted_frames, horizon));
    }
  }

 private:
  std::vector<int64_t> counted(int64_t horizon) const {
    if (steps_.empty() && !all_) return {horizon - 1};
    if (!steps_.empty()) return steps_;
    std::vector<int64_t> every(size_t(horizon), 0);
    for (int64_t t = 0; t < horizon; ++t) every[size_t(t)] = t;
    return every;
  }

  bool all_;
  std::vector<int64_t> steps_;
  std::vector<double> weights_;
  double blur_;
  std::string weights_key_, steps_key_;  // how messages name the keys
};

}  // namespace
VIDPRED_REGISTER_STAGE(GoalMseCost)
}  // namespace vidpred::stages
