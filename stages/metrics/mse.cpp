#include <ATen/ATen.h>

#include "pipeline/config/registry.h"
#include "stages/metrics/metric.h"

namespace vidpred::stages {
namespace {

class MseMetric : public Metric {
 public:
  using Interface = Metric;
  static constexpr const char* kName = "mse";
  static constexpr const char* kSummary = "mean squared error over C*H*W per frame";
  std::string name() const override { return kName; }
  std::string axis_label() const override { return "MSE"; }
  bool higher_is_better() const override { return false; }
  at::Tensor per_step(const at::Tensor& prediction, const at::Tensor& truth) const override {
    return (prediction.to(at::kDouble) - truth.to(at::kDouble)).pow(2).mean({2, 3, 4});
  }
};

}  // namespace
VIDPRED_REGISTER_STAGE(MseMetric)
}  // namespace vidpred::stages
