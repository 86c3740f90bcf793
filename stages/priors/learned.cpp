#include "pipeline/config/registry.h"
#include "stages/priors/prior_stage.h"

namespace vidpred::stages {
namespace {

class LearnedPriorStage : public PriorStage {
 public:
  using Interface = PriorStage;
  static constexpr const char* kName = "learned";
  static constexpr const char* kSummary = "a Gaussian LSTM on the previous frame's encoding (SVG-LP)";
  static Schema schema() {
    return Schema()
        .integer("layers", 1, "LSTM layers", {1, 16})
        .integer("rnn_size", 0, "LSTM width (0: model.rnn_size)", {0, 65536});
  }
  explicit LearnedPriorStage(const Params& p) : layers_(p.integer("layers")), rnn_size_(p.integer("rnn_size")) {}
  std::shared_ptr<model::PriorImpl> build(const model::CvaeOptions& o) const override {
    return std::make_shared<model::LearnedPriorImpl>(o.g_dim, o.z_dim, rnn_size_ > 0 ? rnn_size_ : o.rnn_size,
                                                     layers_);
  }

 private:
  int64_t layers_, rnn_size_;
};

}  // namespace
VIDPRED_REGISTER_STAGE(LearnedPriorStage)
}  // namespace vidpred::stages
