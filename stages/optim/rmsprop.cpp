#include <torch/optim/rmsprop.h>

#include "pipeline/config/registry.h"
#include "stages/optim/optimizer.h"

namespace vidpred::stages {
namespace {

class RmsPropOptimizer : public OptimizerStage {
 public:
  using Interface = OptimizerStage;
  static constexpr const char* kName = "rmsprop";
  static constexpr const char* kSummary = "RMSprop";
  static Schema schema() {
    return Schema()
        .real("lr", 0.001, "learning rate", {0.0, {}})
        .real("alpha", 0.99, "smoothing constant", {0.0, 1.0})
        .real("eps", 1e-8, "denominator term", {0.0, {}})
        .real("momentum", 0.0, "momentum", {0.0, 1.0})
        .real("weight_decay", 0.0, "L2 penalty", {0.0, {}})
        .flag("centered", false, "normalise by the gradient's variance estimate");
  }
  explicit RmsPropOptimizer(const Params& p)
      : options_(torch::optim::RMSpropOptions(p.real("lr"))
                     .alpha(p.real("alpha"))
                     .eps(p.real("eps"))
                     .momentum(p.real("momentum"))
                     .weight_decay(p.real("weight_decay"))
                     .centered(p.flag("centered"))) {}
  std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const override {
    return std::make_unique<torch::optim::RMSprop>(parameters, options_);
  }

 private:
  torch::optim::RMSpropOptions options_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(RmsPropOptimizer)
}  // namespace vidpred::stages
