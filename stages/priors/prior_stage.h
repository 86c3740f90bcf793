#pragma once
#include <memory>

#include "model/cvae.h"

namespace vidpred::stages {

// Builds the model's prior over z for the model's dimensions.
class PriorStage {
 public:
  static constexpr const char* kKind = "prior";
  static constexpr const char* kKindDoc = "the prior over the latent z (training KL target and sampling)";
  virtual ~PriorStage() = default;
  virtual std::shared_ptr<model::PriorImpl> build(const model::CvaeOptions& options) const = 0;
};

}  // namespace vidpred::stages
