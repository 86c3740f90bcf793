#pragma once

namespace vidpred::stages {

// The learning rate's factor over the run: each step trains with
// optimizer.lr * factor(progress), where progress is the share of the run's
// steps done before it (0 at the first step, below 1 at the last). A
// function of progress alone, so a resumed run continues the same curve.
class LearningRateSchedule {
 public:
  static constexpr const char* kKind = "lr_schedule";
  static constexpr const char* kKindDoc = "the learning rate's factor over the run, per step";
  virtual ~LearningRateSchedule() = default;
  virtual double factor(double progress) const = 0;
};

}  // namespace vidpred::stages
