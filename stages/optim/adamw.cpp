#include <torch/optim/adamw.h>

#include "pipeline/config/registry.h"
#include "stages/optim/optimizer.h"

namespace vidpred::stages {
namespace {

class AdamWStage : public OptimizerStage {
 public:
  using Interface = OptimizerStage;
  static constexpr const char* kName = "adamw";
  static constexpr const char* kSummary = "AdamW (decoupled weight decay)";
  static Schema schema() {
    return Schema()
        .real("lr", 0.002, "learning rate", {0.0, {}})
        .real("beta1", 0.9, "first-moment decay", {0.0, 1.0})
        .real("beta2", 0.999, "second-moment decay", {0.0, 1.0})
        .real("eps", 1e-8, "denominator term", {0.0, {}})
        .real("weight_decay", 0.01, "decoupled weight decay", {0.0, {}})
        .flag("amsgrad", false, "use the AMSGrad variant");
  }
  explicit AdamWStage(const Params& p)
      : options_(torch::optim::AdamWOptions(p.real("lr"))
                     .betas({p.real("beta1"), p.real("beta2")})
                     .eps(p.real("eps"))
                     .weight_decay(p.real("weight_decay"))
                     .amsgrad(p.flag("amsgrad"))) {}
  std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const override {
    return std::make_unique<torch::optim::AdamW>(parameters, options_);
  }

 private:
  torch::optim::AdamWOptions options_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(AdamWStage)
}  // namespace vidpred::stages
