#pragma once
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

namespace torch::optim {
class Optimizer;
}

namespace vidpred::stages {

// Builds the torch optimizer over the model's parameters.
class OptimizerStage {
 public:
  static constexpr const char* kKind = "optimizer";
  static constexpr const char* kKindDoc = "the torch optimizer and its hyper-parameters";
  virtual ~OptimizerStage() = default;
  virtual std::unique_ptr<torch::optim::Optimizer> create(const std::vector<at::Tensor>& parameters) const = 0;
};

}  // namespace vidpred::stages
