#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include "pipeline/config/registry.h"
#include "stages/optim/optimizer.h"

namespace vidpred::stages {
namespace {

// Adam and AdamW take the same hyper-parameters and differ in how weight
// decay enters the update, so one template serves both.
template <class Optimizer, class Options, class Names>
class AdamFamily : public OptimizerStage {
 public:
  using Interface = OptimizerStage;
  static constexpr const char* kName = Names::kName;
  static constexpr const char* kSummary = Names::kSummary;
  static Schema schema() {
    return Schema()
        .real("lr", 0.002, "learning rate", {0.0, {}})
        .real("beta1", 0.9, "first-moment decay", {0.0, 1.0})
        .real("beta2", 0.999, "second-moment decay", {0.0, 1.0})
        .real("eps", 1e-8, "denominator term", {0.0, {}})
        .real("weight_decay", Names::kWeightDecay, Names::kWeightDecayDoc, {0.0, {}})
        .flag("amsgrad", false, "use the AMSGrad variant");
  }
  explicit AdamFamily(const Params& p)
      : options_(Options(p.real("lr"))
                     .betas({p.real("beta1"), p.real("beta2")})
                     .eps(p.real("eps"))
                     .weight_decay(p.real("weight_decay"))
                     .amsgrad(p.flag("amsgrad"))) {}
  std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const override {
    return std::make_unique<Optimizer>(parameters, options_);
  }

 private:
  Options options_;
};

struct AdamNames {
  static constexpr const char* kName = "adam";
  static constexpr const char* kSummary = "Adam (the reference's optimizer)";
  static constexpr double kWeightDecay = 0.0;
  static constexpr const char* kWeightDecayDoc = "L2 penalty added to the gradient";
};
struct AdamWNames {
  static constexpr const char* kName = "adamw";
  static constexpr const char* kSummary = "AdamW (decoupled weight decay)";
  static constexpr double kWeightDecay = 0.01;
  static constexpr const char* kWeightDecayDoc = "decoupled weight decay";
};

using AdamOptimizer = AdamFamily<torch::optim::Adam, torch::optim::AdamOptions, AdamNames>;
using AdamWOptimizer = AdamFamily<torch::optim::AdamW, torch::optim::AdamWOptions, AdamWNames>;

}  // namespace
VIDPRED_REGISTER_STAGE(AdamOptimizer)
VIDPRED_REGISTER_STAGE(AdamWOptimizer)
}  // namespace vidpred::stages
