#pragma once
// How evaluation turns per-frame scores into its figures while samples and
// batches stream past, in memory that depends on neither the number of
// samples nor the number of sequences: per batch, one running sum and the
// best and worst sample so far of each sequence; per predictor, running
// totals per predicted frame.
#include <cstddef>
#include <vector>

#include <ATen/core/Tensor.h>

namespace vidpred {

// Totals per predicted frame of one metric for one predictor, over every
// sequence seen. A frame the metric did not score (NaN) counts in neither the
// sum nor the count.
class StepTotals {
 public:
  void add(const at::Tensor& scores);    // (B, horizon), any device
  std::vector<double> per_step() const;  // mean per frame; NaN where none was scored
  double mean() const;                   // over every scored frame; NaN when none was

 private:
  at::Tensor sum_, count_;  // (horizon,) float64 on the CPU
};

// The samples of one batch, added one at a time. Per sequence it keeps the
// sum over samples and the scores of the best and worst sample so far, ranked
// by the first metric's mean over the frames it scored; a tie keeps the
// earlier sample.
class SampleRanking {
 public:
  SampleRanking(size_t metrics, bool higher_is_better);
  // The next sample's scores: per metric (B, horizon), the ranking metric first.
  void add(const std::vector<at::Tensor>& scores);

  int64_t samples() const { return samples_; }
  const at::Tensor& best_sample() const { return best_sample_; }  // (B,) int64, counted from 0
  const at::Tensor& became_best() const { return became_best_; }  // (B,) bool: the last sample added
  std::vector<at::Tensor> mean() const;                           // per metric (B, horizon)
  const std::vector<at::Tensor>& best() const { return best_; }
  const std::vector<at::Tensor>& worst() const { return worst_; }

 private:
  at::Tensor rank(const at::Tensor& ranking_scores) const;  // (B,): higher is better

  size_t metrics_;
  bool higher_is_better_;
  int64_t samples_ = 0;
  std::vector<at::Tensor> sum_, best_, worst_;
  at::Tensor best_rank_, worst_rank_, best_sample_, became_best_;
};

}  // namespace vidpred
