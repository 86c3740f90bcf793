#include <torch/optim/sgd.h>

#include "pipeline/config/registry.h"
#include "stages/optim/optimizer.h"

namespace vidpred::stages {
namespace {

class SgdOptimizer : public OptimizerStage {
 public:
  using Interface = OptimizerStage;
  static constexpr const char* kName = "sgd";
  static constexpr const char* kSummary = "stochastic gradient descent with momentum";
  static Schema schema() {
    return Schema()
        .real("lr", 0.01, "learning rate", {0.0, {}})
        .real("momentum", 0.9, "momentum", {0.0, 1.0})
        .real("dampening", 0.0, "momentum dampening", {0.0, 1.0})
        .real("weight_decay", 0.0, "L2 penalty", {0.0, {}})
        .flag("nesterov", false, "Nesterov momentum");
  }
  explicit SgdOptimizer(const Params& p)
      : options_(torch::optim::SGDOptions(p.real("lr"))
                     .momentum(p.real("momentum"))
                     .dampening(p.real("dampening"))
                     .weight_decay(p.real("weight_decay"))
                     .nesterov(p.flag("nesterov"))) {
    if (options_.nesterov() && (options_.momentum() <= 0 || options_.dampening() != 0)) {
      p.fail("nesterov", "needs momentum > 0 and dampening = 0");
    }
  }
  std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const override {
    return std::make_unique<torch::optim::SGD>(parameters, options_);
  }

 private:
  torch::optim::SGDOptions options_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(SgdOptimizer)
}  // namespace vidpred::stages
